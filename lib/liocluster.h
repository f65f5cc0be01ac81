/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libliocluster - one description of a clustered LIO target, turned into
 * the configfs state each node needs: its own ports on their real fabrics,
 * every peer's port mirrored on the `remote` fabric (tcm_remote), the ALUA
 * groups with their members, ACLs, and the same RTPI for the same port on
 * every node.
 *
 * The library returns data; printing is the caller's (cli/).  The configfs
 * root and the state directory are parameters, so everything except the
 * kernel's own reactions can be tested on an ordinary directory.
 *
 * Errors: functions return 0 or a negative errno and fill a struct lc_error
 * with a sentence for a human.
 */
#ifndef LIOCLUSTER_H
#define LIOCLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#define LC_ERROR_LEN 1024

struct lc_error {
	char msg[LC_ERROR_LEN];
};

/* --- the cluster description ------------------------------------------------ */

struct lc_cluster;

/* Parse a YAML description from a file or a buffer; validates everything
 * that can be checked without a node (names, references, ranges, RTPIs).
 * SECRETS (may be NULL) is the file holding CHAP secrets: it must be a
 * regular file readable by its owner only. */
int lc_cluster_load(const char *path, const char *secrets, struct lc_cluster **out,
		    struct lc_error *err);
int lc_cluster_parse(const char *buf, size_t len, struct lc_cluster **out,
		     struct lc_error *err);
void lc_cluster_free(struct lc_cluster *c);
/* The same without a secrets file: CHAP secrets stay names (merge, and
 * checking a description import or merge made) */
int lc_cluster_parse_unresolved(const char *buf, size_t len, struct lc_cluster **out,
				struct lc_error *err);
int lc_cluster_load_unresolved(const char *path, struct lc_cluster **out, struct lc_error *err);

const char *lc_cluster_name(const struct lc_cluster *c);
size_t lc_cluster_node_count(const struct lc_cluster *c);
const char *lc_cluster_node(const struct lc_cluster *c, size_t i);
/* A port's label, node, RTPI (explicit or derived) and whether it was given */
size_t lc_cluster_port_count(const struct lc_cluster *c);
void lc_cluster_port(const struct lc_cluster *c, size_t i, const char **label,
		     const char **node, const char **group, unsigned int *rtpi,
		     bool *explicit_rtpi);
/* The ALUA groups of NODE's own ports, one per line; NULL when none */
size_t lc_cluster_group_count(const struct lc_cluster *c);
const char *lc_cluster_group(const struct lc_cluster *c, size_t i);
bool lc_cluster_node_in_group(const struct lc_cluster *c, const char *node,
			      const char *group);

/* --- where and how to act ------------------------------------------------------ */

/* How the kernel numbers relative target ports (docs/rtpi.md). */
enum lc_rtpi_mode {
	LC_RTPI_AUTO,		/* probe the running kernel */
	LC_RTPI_PER_TPG,	/* tpgt_N/rtpi on every fabric (Linux 6.4+) */
	LC_RTPI_PER_LUN,	/* a per-device counter; tcm_remote pins RTPIs */
};

struct lc_ctx;

int lc_ctx_new(const char *configfs_root, struct lc_ctx **out, struct lc_error *err);
void lc_ctx_free(struct lc_ctx *ctx);
void lc_ctx_set_rtpi_mode(struct lc_ctx *ctx, enum lc_rtpi_mode mode);
enum lc_rtpi_mode lc_ctx_rtpi_mode(const struct lc_ctx *ctx);
/* Where ownership, the journal, wanted states and the lock live (default
 * /run/liocluster). */
void lc_ctx_set_state_dir(struct lc_ctx *ctx, const char *dir);
/* How long a writer waits for another to finish (seconds; default 60). */
void lc_ctx_set_lock_wait(struct lc_ctx *ctx, double seconds);
/* The command line, named in the lock file for whoever waits */
void lc_ctx_set_command(struct lc_ctx *ctx, const char *command);
/* This node's name, for set-state and get-state (they need it when a
 * device's HBA differs per node; the other calls take it as an argument) */
void lc_ctx_set_node(struct lc_ctx *ctx, const char *node);
/* Take objects the description names that exist and are not ours */
void lc_ctx_set_adopt(struct lc_ctx *ctx, bool adopt);
/* Testing: make the Nth configfs operation of the next run fail (1-based;
 * 0 turns it off), to exercise the rollback. */
void lc_ctx_inject_failure(struct lc_ctx *ctx, unsigned int nth);

/* --- plan and apply ------------------------------------------------------------- */

enum lc_op_kind {
	LC_OP_MKDIR,
	LC_OP_RMDIR,
	LC_OP_WRITE,
	LC_OP_SYMLINK,
	LC_OP_UNLINK,
};

enum lc_change {
	LC_CREATE,
	LC_MODIFY,
	LC_REMOVE,
	LC_UNCHANGED,
	LC_CHANGES,
};

struct lc_plan;

/* The operations that make NODE's configfs match the description, in the
 * order they must run.  An empty plan means the node already matches.
 * Reads only; refuses (before anything changes) what the kernel could not
 * do: RTPIs held by other ports, objects that exist and are not ours. */
int lc_plan_node(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
		 struct lc_plan **out, struct lc_error *err);
void lc_plan_free(struct lc_plan *p);
size_t lc_plan_count(const struct lc_plan *p);
/* Operation I; a secret's value reads "(secret)" */
enum lc_op_kind lc_plan_op(const struct lc_plan *p, size_t i, const char **path,
			   const char **arg);
enum lc_change lc_plan_change(const struct lc_plan *p, size_t i);
const char *lc_op_name(enum lc_op_kind k);
const char *lc_change_name(enum lc_change c);
/* Objects and properties by what happens to them */
size_t lc_plan_summary(const struct lc_plan *p, enum lc_change c);
/* Objects under the tool's paths that it did not make and leaves alone */
size_t lc_plan_foreign_count(const struct lc_plan *p);
const char *lc_plan_foreign(const struct lc_plan *p, size_t i);
/* After a failed apply: what the rollback could not undo */
size_t lc_plan_left_count(const struct lc_plan *p);
const char *lc_plan_left(const struct lc_plan *p, size_t i);

/* Lock the node, plan, run the plan and record what was made.  All or
 * nothing: when an operation fails, the ones already done are undone in
 * reverse order.  Returns 0; -EBUSY when another writer holds the lock past
 * the wait; -ENOTRECOVERABLE when the rollback could not undo everything
 * (*out lists what is left); another negative errno when an operation
 * failed and everything was undone.  *out (may be NULL) gets the plan. */
int lc_apply(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	     struct lc_plan **out, struct lc_error *err);
/* Record a wanted ALUA state for GROUP (set-state semantics) that the next
 * lc_apply on this context uses; for starting a node in a given state. */
int lc_apply_want_state(struct lc_ctx *ctx, const struct lc_cluster *c,
			const char *group, int state, struct lc_error *err);

/* Remove what liocluster made on NODE (mirrors_only: the remote fabric's
 * objects only), all or nothing, like lc_apply. */
int lc_clear(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	     bool mirrors_only, struct lc_plan **out, struct lc_error *err);

/* --- verify ----------------------------------------------------------------------- */

enum lc_diff_kind {
	LC_DIFF_MISSING,	/* the description has it, the node has not */
	LC_DIFF_EXTRA,		/* ours, the description no longer has it */
	LC_DIFF_DIFFERENT,	/* a property with another value */
	LC_DIFF_RTPI,		/* a LUN reports another RTPI than its port's */
	LC_DIFF_STATE,		/* an ALUA group in another state than wanted */
};

struct lc_report;

/* Compare NODE's live configfs with the description: every property the
 * tool writes, every port's RTPI as the LUNs report it, every group's state
 * against the wanted one. */
int lc_verify(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	      struct lc_report **out, struct lc_error *err);
size_t lc_report_count(const struct lc_report *r);
/* Entry I: its kind, path, live and wanted values (NULL where none; a
 * secret reads "(secret)") */
enum lc_diff_kind lc_report_entry(const struct lc_report *r, size_t i, const char **path,
				  const char **live, const char **want);
const char *lc_diff_name(enum lc_diff_kind k);
void lc_report_free(struct lc_report *r);

/* --- ALUA states ------------------------------------------------------------------- */

/* ALUA asymmetric access states, as SPC-4 numbers them. */
int lc_state_parse(const char *name, int *state);
const char *lc_state_name(int state);

/* Set GROUP's ALUA state on every device of the cluster on this node, and
 * keep it as the wanted state.  All or none; -ENOTRECOVERABLE when a
 * failed change could not be put back everywhere (err names the devices). */
int lc_set_state(struct lc_ctx *ctx, const struct lc_cluster *c, const char *group,
		 int state, struct lc_error *err);
/* GROUP's live state: the same on every device, or -1 when they differ
 * (*wanted: the state liocluster keeps for it). */
int lc_get_state(struct lc_ctx *ctx, const struct lc_cluster *c, const char *group,
		 int *state, int *wanted, struct lc_error *err);

/* Explicit ALUA: the groups an initiator moved on this node with SET TARGET
 * PORT GROUPS (target core shows "Altered by Explicit STPG") to a state
 * other than the kept one -- requests the cluster has not decided.  One
 * entry a group (its first such device); *out is free()d by the caller,
 * its strings belong to the cluster description. */
struct lc_stpg {
	const char *group;
	const char *device;
	int state;		/* what the initiator asked for */
	int wanted;		/* the state liocluster keeps for the group */
};
int lc_stpg_requests(struct lc_ctx *ctx, const struct lc_cluster *c, struct lc_stpg **out,
		     size_t *n, struct lc_error *err);

/* --- status ---------------------------------------------------------------------------- */

#define LC_STATUS_LOCAL		0x01	/* this node's own port and what is in it */
#define LC_STATUS_MIRROR	0x02	/* a peer's port, on the remote fabric */
#define LC_STATUS_FOREIGN	0x04	/* not liocluster's: left alone */
#define LC_STATUS_DRIFT		0x08	/* differs from the description */
#define LC_STATUS_MISSING	0x10	/* described, not there */

struct lc_status;

/* The node's LIO tree, every object depth-first with its details and marks
 * (what differs is what verify reports). */
int lc_status(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	      struct lc_status **out, struct lc_error *err);
size_t lc_status_count(const struct lc_status *s);
/* Entry I's name; its depth in the tree, kind ("device", "TPG", ...),
 * details, LC_STATUS_* flags and configfs path */
const char *lc_status_entry(const struct lc_status *s, size_t i, int *depth, const char **kind,
			    const char **detail, unsigned int *flags, const char **path);
void lc_status_free(struct lc_status *s);

/* --- import and merge -------------------------------------------------------------------- */

/* A description as a document: maps, lists and scalars in the order a
 * description is written, for the caller to print (YAML).  A plain scalar
 * is printed as it is (numbers, sizes, booleans, states, keywords); any
 * other is text, which the printer quotes where YAML would misread it. */
enum lc_doc_kind { LC_DOC_SCALAR, LC_DOC_MAP, LC_DOC_LIST };

struct lc_doc {
	enum lc_doc_kind kind;
	char *key;		/* its key in the map it is in; NULL in a list */
	char *value;		/* a scalar's text */
	bool plain;		/* a scalar printed as it is */
	bool flow;		/* a map or list on one line: [0, 1] */
	struct lc_doc **items;
	size_t n;
};

struct lc_doc *lc_cluster_doc(const struct lc_cluster *c);
void lc_doc_free(struct lc_doc *d);

struct lc_import;

/* Describe NODE's live LIO setup (read only, takes no lock): its own
 * ports on iSCSI, tcm_loop and qla2xxx, the rd_mcp, fileio and iblock
 * devices, ALUA groups, LUNs, ACLs and what differs from the kernel's
 * defaults.  Applying the description on the node changes nothing.
 * -EINVAL (err names the object) where a description cannot say what the
 * node has; what liocluster does not manage is left out with a note. */
int lc_import(struct lc_ctx *ctx, const char *node, const char *cluster, struct lc_import **out,
	      struct lc_error *err);
const struct lc_cluster *lc_import_cluster(const struct lc_import *imp);
/* What was left out, one sentence each */
size_t lc_import_note_count(const struct lc_import *imp);
const char *lc_import_note(const struct lc_import *imp, size_t i);
/* The CHAP secrets the description names (for the secrets file only) */
size_t lc_import_secret_count(const struct lc_import *imp);
void lc_import_secret(const struct lc_import *imp, size_t i, const char **name,
		      const char **secret);
void lc_import_free(struct lc_import *imp);

/* Several nodes' imports (description files) as one cluster; CLUSTER
 * (may be NULL) names it.  -EINVAL, naming the objects, on a conflict. */
int lc_merge(const char *const *paths, size_t n, const char *cluster, struct lc_cluster **out,
	     struct lc_error *err);

#endif /* LIOCLUSTER_H */
