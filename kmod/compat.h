/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels tcm_remote builds for.  Every test of
 * LINUX_VERSION_CODE in this module lives here.
 */
#ifndef TCM_REMOTE_COMPAT_H
#define TCM_REMOTE_COMPAT_H

#include <linux/version.h>

/*
 * Before 6.4 target core insisted on a few more session and command
 * callbacks; they have no work to do for a fabric without sessions.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
static inline u32 remote_sess_get_index(struct se_session *se_sess)
{
	return 0;
}

static inline void remote_set_default_node_attributes(struct se_node_acl *nacl)
{
}

static inline int remote_get_cmd_state(struct se_cmd *se_cmd)
{
	return 0;
}

#define REMOTE_COMPAT_OPS						\
	.sess_get_index			= remote_sess_get_index,	\
	.set_default_node_attributes	= remote_set_default_node_attributes, \
	.get_cmd_state			= remote_get_cmd_state,
#else
#define REMOTE_COMPAT_OPS
#endif

#endif /* TCM_REMOTE_COMPAT_H */
