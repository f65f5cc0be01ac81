/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libliocluster - one description of a clustered LIO target, turned into
 * the configfs state each node needs: its own ports on their real fabrics,
 * every peer's port mirrored on the `remote` fabric (tcm_remote), the ALUA
 * groups with their members, ACLs, and the same RTPI for the same port on
 * every node.
 *
 * The configfs root is a parameter, so everything except the kernel's own
 * reactions can be tested on an ordinary directory.
 *
 * Errors: functions return 0 or a negative errno and fill a struct lc_error
 * with a sentence for a human.
 */
#ifndef LIOCLUSTER_H
#define LIOCLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define LC_ERROR_LEN 512

struct lc_error {
	char msg[LC_ERROR_LEN];
};

/* --- the cluster description ------------------------------------------- */

struct lc_cluster;

/* Parse a YAML description from a file or a buffer; validates everything
 * that can be checked without a node (names, references, ranges). */
int lc_cluster_load(const char *path, struct lc_cluster **out,
		    struct lc_error *err);
int lc_cluster_parse(const char *buf, size_t len, struct lc_cluster **out,
		     struct lc_error *err);
void lc_cluster_free(struct lc_cluster *c);

const char *lc_cluster_name(const struct lc_cluster *c);
size_t lc_cluster_node_count(const struct lc_cluster *c);
const char *lc_cluster_node(const struct lc_cluster *c, size_t i);

/* --- where and how to act ------------------------------------------------ */

/* How the kernel numbers relative target ports (docs/rtpi.md). */
enum lc_rtpi_mode {
	LC_RTPI_AUTO,	/* from the running kernel's release */
	LC_RTPI_PER_TPG,	/* 6.4+: tpgt_N/rtpi for every fabric */
	LC_RTPI_PER_LUN,	/* before: a per-device counter; remote TPGs settable */
};

struct lc_ctx;

int lc_ctx_new(const char *configfs_root, struct lc_ctx **out,
	       struct lc_error *err);
void lc_ctx_free(struct lc_ctx *ctx);
void lc_ctx_set_rtpi_mode(struct lc_ctx *ctx, enum lc_rtpi_mode mode);
enum lc_rtpi_mode lc_ctx_rtpi_mode(const struct lc_ctx *ctx);
/* Testing: make the Nth configfs operation of the next apply fail (1-based;
 * 0 turns it off), to exercise the rollback. */
void lc_ctx_inject_failure(struct lc_ctx *ctx, unsigned int nth);

/* --- plan and apply --------------------------------------------------------- */

enum lc_op_kind {
	LC_OP_MKDIR,
	LC_OP_RMDIR,
	LC_OP_WRITE,
	LC_OP_SYMLINK,
	LC_OP_UNLINK,
};

struct lc_plan;

/* The operations that make NODE's configfs match the description, in the
 * order they must run.  An empty plan means the node already matches. */
int lc_plan_node(struct lc_ctx *ctx, const struct lc_cluster *c,
		 const char *node, struct lc_plan **out, struct lc_error *err);
void lc_plan_free(struct lc_plan *p);
size_t lc_plan_count(const struct lc_plan *p);
enum lc_op_kind lc_plan_op(const struct lc_plan *p, size_t i,
			   const char **path, const char **arg);
void lc_plan_print(const struct lc_plan *p, FILE *f, bool json);

/* Run a plan.  All or nothing: when an operation fails, the ones already
 * done are undone in reverse order and the error names the failed one. */
int lc_apply(struct lc_ctx *ctx, struct lc_plan *p, struct lc_error *err);

/* --- verify, state, status --------------------------------------------------- */

struct lc_report;

/* Compare NODE's live configfs with the description: missing, extra and
 * different objects, and ports whose RTPI is not the cluster's. */
int lc_verify(struct lc_ctx *ctx, const struct lc_cluster *c,
	      const char *node, bool check_states, struct lc_report **out,
	      struct lc_error *err);
size_t lc_report_count(const struct lc_report *r);
const char *lc_report_line(const struct lc_report *r, size_t i);
void lc_report_print(const struct lc_report *r, FILE *f, bool json);
void lc_report_free(struct lc_report *r);

/* ALUA asymmetric access states, as SPC-4 numbers them. */
int lc_state_parse(const char *name, int *state);
const char *lc_state_name(int state);

/* Set GROUP's ALUA state on every device of the cluster on this node. */
int lc_set_state(struct lc_ctx *ctx, const struct lc_cluster *c,
		 const char *group, int state, struct lc_error *err);

/* Every device's groups with their live states and members, and every
 * port's live RTPI, for humans or as JSON. */
int lc_status(struct lc_ctx *ctx, const struct lc_cluster *c,
	      const char *node, FILE *f, bool json, struct lc_error *err);

#endif /* LIOCLUSTER_H */
