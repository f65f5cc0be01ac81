/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stand-in for LIO's configfs tree on an ordinary directory, for the unit
 * tests, the fuzzer, the benchmark and the CLI's test build.  It models
 * what target core, tcm_loop, iscsi_target_mod, tcm_qla2xxx and tcm_remote
 * do when user space makes, writes, links and removes (standin.c says
 * where each rule was read in the kernel's source), including the two ways
 * kernels number target ports (docs/rtpi.md).
 *
 * The tree lives in ROOT; what the kernel keeps out of sight (per-device
 * RTPI counters, the LUNs of each device, link targets' reference counts,
 * tcm_remote's pin table) lives in ROOT.kernel.  Every operation takes a
 * lock there, so several processes can share one stand-in.
 */
#ifndef STANDIN_H
#define STANDIN_H

#include <stdbool.h>

struct lc_backend;

enum standin_kind {
	STANDIN_PER_LUN,	/* before 6.4: per-device counter, tcm_remote pins */
	STANDIN_PER_TPG,	/* 6.4+: tpgt_N/rtpi on every TPG, a global pool at enable */
};

/* Make an empty configfs tree at ROOT (target/ and target/core/ only). */
int standin_init(const char *root, enum standin_kind kind);
/* Remove ROOT and its kernel state */
void standin_destroy(const char *root);
/* The backend whose operations behave like the kernel's (priv unused: the
 * root is passed with every operation) */
const struct lc_backend *standin_backend(void);
/* FC HBA ports present (qla2xxx WWNs can only be made for these) */
int standin_add_fc_port(const char *root, const char *wwpn16);
/* Testing: the Nth backend operation from now fails with EIO (0: never);
 * kill_at: the process SIGKILLs itself before the Nth operation runs */
void standin_fail_at(unsigned long nth);
void standin_kill_at(unsigned long nth);
/* ... and every operation after it too */
void standin_fail_from(unsigned long nth);
unsigned long standin_ops(void);
/* An initiator's SET TARGET PORT GROUPS through LUN (a LUN directory,
 * relative to ROOT): N descriptors, each a primary state (SPC-4 number)
 * for the group of id IDS[i]; -EOPNOTSUPP when the receiving port's group
 * is not explicit, -EINVAL for a descriptor target core refuses. */
int standin_stpg(const char *root, const char *lun, const int *states, const unsigned int *ids,
		 size_t n);
/* The whole tree: every directory, every link and its target, and every
 * value of a writable attribute, plus each LUN's RTPI; sorted, one a line.
 * Caller frees. */
char *standin_snapshot(const char *root);

#endif
