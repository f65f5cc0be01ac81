/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels tcm_remote builds for.  Every test of
 * LINUX_VERSION_CODE in this module lives here; the module itself only
 * tests the feature macros defined below.
 */
#ifndef TCM_REMOTE_COMPAT_H
#define TCM_REMOTE_COMPAT_H

#include <linux/version.h>

/*
 * Linux 6.4 made the relative target port identifier a property of the
 * TPG, with a tpgt_N/rtpi attribute that target core gives every fabric.
 * Before, it was per LUN, from a per-device counter; tcm_remote then
 * provides the same attribute itself.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define REMOTE_HAS_OWN_RTPI 1
#endif

#endif /* TCM_REMOTE_COMPAT_H */
