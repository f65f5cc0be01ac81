/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libliocluster internals.  The library is cut along the stages of its
 * model, one file each, every file using only what is below it:
 *
 *   alua.c      ALUA state changes (set-state, get-state)
 *   apply.c     run a plan with an undo journal; verify.c: report differences
 *   import.c    live configfs -> a description (what targetcli made)
 *   merge.c     several nodes' imports -> one; a description as a document
 *   diff.c      desired vs live -> an ordered plan, foreign objects, RTPI checks
 *   desired.c   the node's desired state: a tree of objects keyed by path
 *   desc.c      the cluster description (YAML)
 *   layout.c    configfs paths and names: the one place that knows them
 *   live.c      live configfs: operations (backends) and reading
 *   state.c     the node's state directory: lock, ownership, journal, states
 *   names.c     port and initiator names, canonical forms
 *   util.c      errors, allocation, vectors, string maps
 */
#ifndef LIOCLUSTER_INTERNAL_H
#define LIOCLUSTER_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>

#include "liocluster.h"

#define LC_MAX_NODES	64
#define LC_MAX_ITEMS	4096	/* devices, groups, ports, LUNs, ACLs each */
#define LC_NAME_MAX	223	/* target core keeps names in 224 bytes */

/* --- util.c ------------------------------------------------------------------ */

int lc_fail(struct lc_error *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *lc_xcalloc(size_t n, size_t size);
void *lc_xrealloc(void *p, size_t n, size_t size);
char *lc_xstrdup(const char *s);
char *lc_xstrndup(const char *s, size_t n);
char *lc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable array of pointers */
struct lc_vec {
	void **v;
	size_t n, cap;
};
void lc_vec_push(struct lc_vec *v, const void *p);
void lc_vec_free(struct lc_vec *v, void (*fn)(void *));

/* A string-keyed hash map (open addressing); keys are not copied */
struct lc_map {
	const char **keys;
	void **vals;
	size_t n, cap;
};
void *lc_map_get(const struct lc_map *m, const char *key);
/* Sets KEY to VAL; returns the previous value or NULL. */
void *lc_map_put(struct lc_map *m, const char *key, void *val);
void lc_map_free(struct lc_map *m);

/* An arena: strings and structs that live and die together (the desired
 * and live trees, a plan), without a malloc each */
struct lc_arena {
	char *cur;
	size_t left;
	struct lc_vec blocks;
};
void *lc_arena_alloc(struct lc_arena *a, size_t n);	/* zeroed */
char *lc_arena_str(struct lc_arena *a, const char *s);
char *lc_arena_strn(struct lc_arena *a, const char *s, size_t n);
char *lc_arena_take(struct lc_arena *a, char *s);	/* S is freed */
void lc_arena_free(struct lc_arena *a);

/* A growable string */
struct lc_buf {
	char *s;
	size_t n, cap;
};
void lc_buf_add(struct lc_buf *b, const char *s, size_t n);
void lc_buf_printf(struct lc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *lc_buf_take(struct lc_buf *b);

/* A whole number in [min, max]: decimal, or 0x hex when hex is true; no
 * sign, no space, no leading zero (010 is not 8, nor 10). */
int lc_parse_uint(const char *s, unsigned long long min, unsigned long long max,
		  bool hex, unsigned long long *out);
/* Trailing white space removed in place */
char *lc_rstrip(char *s);
int lc_cmp_str(const void *a, const void *b);

/* --- names.c ----------------------------------------------------------------- */

enum lc_fabric { LC_ISCSI, LC_LOOPBACK, LC_FC };
enum lc_name_kind { LC_NAME_IQN, LC_NAME_EUI, LC_NAME_NAA, LC_NAME_WWPN, LC_NAME_BAD };

/* What may become a configfs path component: letters, digits, . _ : - ;
 * not starting with . or -; 1..max bytes. */
bool lc_safe_component(const char *s, size_t max);
/* The kind of a port or initiator name, and its canonical form (iqn./eui.
 * lower case; naa. lower-case hex; a WWPN as 16 lower-case hex digits,
 * whatever spelling: 21:00:.., 0x.., naa.21.., upper case).  Returns
 * LC_NAME_BAD and NULL for anything else; caller frees *canon. */
enum lc_name_kind lc_name_parse(const char *s, char **canon);
/* Which names a fabric takes for its target ports */
bool lc_fabric_takes(enum lc_fabric f, enum lc_name_kind k);
const char *lc_name_kind_str(enum lc_name_kind k);
/* The form the kernel wants: qla2xxx 21:00:00:24:ff:00:00:0b; the remote
 * fabric fc.21000024ff00000b for FC; the canonical name otherwise. */
char *lc_name_for_fabric(const char *canon, enum lc_name_kind k, bool remote);

/* --- the description (desc.c) -------------------------------------------------- */

enum lc_backstore { LC_RD_MCP, LC_FILEIO, LC_IBLOCK, LC_BACKSTORES };

struct lc_kv {			/* name: value, in the description's order */
	char *key;
	char *value;
};

struct lc_kvs {
	struct lc_kv *v;
	size_t n;
};

struct lc_node_path {
	char *node;
	char *path;
};

struct lc_device {
	char *name;
	enum lc_backstore backstore;
	uint64_t size;			/* bytes; rd_mcp and fileio */
	char *path;			/* fileio and iblock */
	struct lc_node_path *paths;	/* per-node overrides of path */
	size_t npaths;
	char *hba;			/* its HBA on every node; NULL: <plugin>_<hba_index> */
	struct lc_node_path *hbas;	/* per-node overrides of hba */
	size_t nhbas;
	char *serial;
	long company_id;		/* -1: the kernel's default */
	struct lc_kvs attrib;		/* attrib/<name> */
};

struct lc_group {
	char *name;
	unsigned int id;
	int state;			/* the initial state */
	bool preferred;
	int transition_secs;		/* -1: the kernel's default */
	unsigned int access_type;	/* 1 implicit, 3 implicit and explicit */
};

struct lc_port {
	char *label;			/* the port's name, or its WWN */
	char *node;
	enum lc_fabric fabric;
	enum lc_name_kind kind;
	char *wwn;			/* canonical */
	unsigned int tag;
	unsigned int rtpi;		/* explicit, or derived */
	bool rtpi_explicit;
	char *group;			/* a group of alua_groups, or default_tg_pt_gp */
	char **portals;			/* iSCSI: "ip:port", canonical */
	size_t nportals;
	char *nexus;			/* loopback: the initiator side, canonical */
	struct lc_kvs attrib;		/* tpgt_N/attrib/<name> */
	struct lc_kvs param;		/* tpgt_N/param/<name> */
};

struct lc_lun {
	unsigned int lun;
	char *device;
};

struct lc_chap {
	char *userid;
	char *secret;			/* the secret itself, from the secrets file */
	char *secret_name;		/* its name in the secrets file */
};

struct lc_acl {
	char *initiator;		/* canonical */
	enum lc_name_kind kind;
	unsigned int *luns;		/* NULL: every LUN */
	size_t nluns;
	char **ports;			/* NULL: every port that takes its kind */
	size_t nports;
	struct lc_kvs attrib;
	struct lc_chap chap, mutual;
};

struct lc_cluster {
	char *name;
	unsigned int hba_index;
	char **nodes;
	size_t nnodes;
	struct lc_device *devices;
	size_t ndevices;
	struct lc_group *groups;
	size_t ngroups;
	struct lc_port *ports;
	size_t nports;
	struct lc_lun *luns;
	size_t nluns;
	struct lc_acl *acls;
	size_t nacls;
	struct lc_chap discovery, discovery_mutual;	/* iSCSI discovery */
	bool discovery_enforce;
	/* look-ups */
	struct lc_map device_by_name, group_by_name, port_by_label;
};

const struct lc_device *lc_find_device(const struct lc_cluster *c, const char *name);
const struct lc_group *lc_find_group(const struct lc_cluster *c, const char *name);
const char *lc_device_path(const struct lc_device *d, const char *node);
bool lc_cluster_has_node(const struct lc_cluster *c, const char *node);
/* NODE has peers' ports to mirror */
bool lc_cluster_has_remote(const struct lc_cluster *c, const char *node);
bool lc_acl_maps(const struct lc_acl *a, unsigned int lun);
bool lc_acl_on_port(const struct lc_acl *a, const struct lc_port *p);
const char *lc_backstore_plugin(enum lc_backstore b);
/* The description's own checks: a device path, a portal (its canonical
 * form, NULL if bad), a CHAP secret and userid */
bool lc_desc_valid_path(const char *p);
char *lc_desc_portal(const char *s);
bool lc_desc_valid_secret(const char *s);
bool lc_desc_valid_userid(const char *s);

/* --- values (desired.c) --------------------------------------------------------- */

/* How an attribute's live value is compared with the wanted one */
enum lc_cmp {
	LC_CMP_TEXT,		/* the text, trimmed */
	LC_CMP_NUMBER,		/* as numbers (the kernel prints 0x2 for 2) */
	LC_CMP_SERIAL,		/* "T10 VPD Unit Serial Number: X" */
	LC_CMP_TG_PT_GP,	/* "TG Port Alias: X" ..., "LU Group Alias: X" ... */
	LC_CMP_ACCESS,		/* "Implicit and Explicit" is 3 */
	LC_CMP_CONTROL,		/* the device's info: rd pages, file and size, udev path */
	LC_CMP_ENABLE,		/* a device's enable: ENODEV until configured */
	LC_CMP_SECRET,		/* like TEXT, never printed */
	LC_CMP_STATUS,		/* "Altered by Implicit ALUA" is 2 */
};

/* --- layout.c ----------------------------------------------------------------- */

const char *lc_fabric_dir(enum lc_fabric f);
char *lc_fabric_path(enum lc_fabric f, bool remote);
/* A device's HBA and paths on NODE (NULL: its hba, or the cluster's) */
char *lc_hba_name(const struct lc_cluster *c, const struct lc_device *d, const char *node);
char *lc_hba_path(const struct lc_cluster *c, const struct lc_device *d, const char *node);
char *lc_dev_path(const struct lc_cluster *c, const struct lc_device *d, const char *node);
char *lc_group_path(const struct lc_cluster *c, const struct lc_device *d,
		    const struct lc_group *g, const char *node);
/* The TPG directory of port P as NODE sees it: its own fabric on its own
 * node, the remote fabric elsewhere. */
char *lc_tpg_path(const struct lc_port *p, const char *node);
char *lc_control_string(const struct lc_device *d, const char *node);
/* Names configfs itself uses inside a LUN directory, which a device name
 * (the LUN's link is named after its device) must not take */
bool lc_lun_entry_reserved(const char *name);

/* The object grammar: what kind of user-made object a configfs path is */
enum lc_kind {
	LC_K_NONE,
	LC_K_FABRIC,		/* target/<fabric> */
	LC_K_HBA,		/* target/core/<plugin>_<n> */
	LC_K_DEVICE,		/* target/core/<hba>/<dev> */
	LC_K_GROUP,		/* .../<dev>/alua/<group> */
	LC_K_WWN,		/* target/<fabric>/<wwn> */
	LC_K_TPG,		/* .../<wwn>/tpgt_N */
	LC_K_LUN,		/* .../tpgt_N/lun/lun_M */
	LC_K_LUN_LINK,		/* .../lun_M/<name> -> device */
	LC_K_ACL,		/* .../tpgt_N/acls/<initiator> */
	LC_K_MAPPED,		/* .../acls/<initiator>/lun_M */
	LC_K_MAPPED_LINK,	/* .../lun_M/<name> -> LUN */
	LC_K_PORTAL,		/* .../tpgt_N/np/<ip:port> */
};
enum lc_kind lc_path_kind(const char *path);
const char *lc_kind_name(enum lc_kind k);
/* Subdirectories of an object that hold user-made children */
const char *const *lc_child_groups(enum lc_kind k);
/* The TPG path of a path at or below a TPG, or NULL; caller frees */
char *lc_tpg_of(const char *path);
/* Where an object's attributes are ("" itself, "attrib", ...), the order
 * they are written back in, and how each reads */
const char *const *lc_attr_groups(enum lc_kind k);
int lc_attr_priority(enum lc_kind k, const char *name);
enum lc_cmp lc_attr_cmp(const char *name);

/* --- live.c ------------------------------------------------------------------- */

/* The configfs operations, on paths relative to the root.  The unit tests
 * use a stand-in that models target core (tests/standin). */
struct lc_backend {
	int (*mkdir)(void *priv, const char *root, const char *path);
	int (*rmdir)(void *priv, const char *root, const char *path);
	int (*write)(void *priv, const char *root, const char *path, const char *value);
	int (*symlink)(void *priv, const char *root, const char *target, const char *link);
	int (*unlink)(void *priv, const char *root, const char *link);
	void *priv;
};

extern const struct lc_backend lc_sys_backend;

struct lc_ctx {
	char *root;
	char *root_real;		/* the root with links resolved, for readlink */
	char *state_dir;
	enum lc_rtpi_mode rtpi_mode;
	unsigned int fail_at;
	double lock_wait;		/* seconds; < 0: the default */
	bool adopt;
	struct lc_backend be;
	unsigned long long ops_done;	/* configfs operations, for measurements */
	const char *command;		/* for the lock's holder line */
	char *node;			/* this node, for set-state (devices' HBAs per node) */
	struct lc_want { const char *group; int state; } *wants;	/* lc_apply_want_state */
	size_t nwants;
};

void lc_ctx_set_backend(struct lc_ctx *ctx, const struct lc_backend *be);
/* Called by lc_ctx_new; weak, a test build overrides it */
void lc_backend_hook(struct lc_ctx *ctx);
int lc_run(struct lc_ctx *ctx, enum lc_op_kind kind, const char *path, const char *arg);

int lc_read_attr(const struct lc_ctx *ctx, const char *rel, char **out);
bool lc_is_dir(const struct lc_ctx *ctx, const char *rel);
bool lc_exists(const struct lc_ctx *ctx, const char *rel);
/* The configfs-relative path a link points to, or NULL. */
char *lc_link_target(const struct lc_ctx *ctx, const char *rel);

/* One directory's entries, with their types from getdents (d_type) */
struct lc_dirent {
	char *name;
	char type;		/* 'd', 'l', 'f' */
};
int lc_list(const struct lc_ctx *ctx, const char *rel, struct lc_dirent **out, size_t *n);
void lc_list_free(struct lc_dirent *e, size_t n);

/* The live tree: every user-made object under target/ (the object grammar
 * of layout.c), found by one walk; attribute values are read on demand. */
struct lc_live_obj {
	const char *path;
	enum lc_kind kind;
	const char *target;	/* links: configfs-relative target */
};
struct lc_live {
	struct lc_vec objs;		/* struct lc_live_obj *, in walk order */
	struct lc_map by_path;
	struct lc_map values;		/* path -> value (read cache) */
	const struct lc_ctx *ctx;
	const struct lc_map *intern;	/* path -> an object whose first member is that path */
	struct lc_arena mem;		/* objects, paths, cached values */
};
/* INTERN (may be NULL): strings to reuse for equal paths (the desired
 * tree's; it must outlive LIVE) */
int lc_live_scan(const struct lc_ctx *ctx, struct lc_live *live, const struct lc_map *intern,
		 struct lc_error *err);
void lc_live_free(struct lc_live *live);
const struct lc_live_obj *lc_live_get(const struct lc_live *live, const char *path);
/* An attribute's value (trimmed), cached; NULL when unreadable */
const char *lc_live_value(struct lc_live *live, const char *path);
/* The writable attributes of an object, as they are, in restore order:
 * paths relative to the root and their values. */
void lc_live_capture(struct lc_live *live, const char *obj, enum lc_kind kind, bool link_attrs,
		     struct lc_kvs *out);
void lc_kvs_free(struct lc_kvs *k);

/* --- state.c ------------------------------------------------------------------ */

/* What the node's state directory holds (default /run/liocluster): the
 * writers' lock, the objects liocluster made (ownership), the journal of a
 * run in progress, and the ALUA states it was told to keep. */
struct lc_state {
	struct lc_map owned;		/* path -> (void *)1 */
	struct lc_vec owned_paths;	/* char *, owned */
	struct lc_map states;		/* group -> state number + 1 (as pointer) */
	struct lc_vec state_names;	/* char * */
	int lock_fd;
};
int lc_state_lock(struct lc_ctx *ctx, struct lc_state *st, struct lc_error *err);
void lc_state_unlock(struct lc_state *st);
/* Read ownership and wanted states; a journal left by a killed run counts
 * its creations as owned. */
int lc_state_load(const struct lc_ctx *ctx, struct lc_state *st, struct lc_error *err);
void lc_state_free(struct lc_state *st);
bool lc_state_owns(const struct lc_state *st, const char *path);
void lc_state_own(struct lc_state *st, const char *path);
void lc_state_disown(struct lc_state *st, const char *path);
int lc_state_wanted(const struct lc_state *st, const char *group);	/* -1: none */
void lc_state_set_wanted(struct lc_state *st, const char *group, int state);
/* Write the journal (the paths a run will create) before it starts */
int lc_state_journal(const struct lc_ctx *ctx, const char *const *paths, size_t n,
		     struct lc_error *err);
/* Drop the journal of a run that undid everything it did */
void lc_state_drop_journal(const struct lc_ctx *ctx);
/* Save ownership and states atomically, and drop the journal */
int lc_state_save(const struct lc_ctx *ctx, struct lc_state *st, struct lc_error *err);

/* --- desired.c ---------------------------------------------------------------- */

enum lc_obj_kind { LC_OBJ_DIR, LC_OBJ_ATTR, LC_OBJ_LINK, LC_OBJ_PIN };



#define LC_OBJF_LOCAL	0x01	/* of this node's own port */
#define LC_OBJF_SECRET	0x02	/* a secret: compared, never printed */
#define LC_OBJF_RECREATE 0x04	/* a difference means: make the object again */
#define LC_OBJF_STATE	0x08	/* an ALUA state (the wanted one) */
#define LC_OBJF_NAMED	0x10	/* an attribute the description names: the kernel must have it */

/* In the order the kernel needs them made (desired.c says which) */
struct lc_obj {
	const char *path;	/* first: lc_live_scan interns through it */
	char *value;		/* ATTR: value; LINK: target; PIN: the RTPI */
	const char *owner;	/* ATTR/PIN: the object it belongs to; DIR/LINK: parent */
	unsigned char kind;	/* enum lc_obj_kind */
	unsigned char cmp;	/* enum lc_cmp */
	unsigned short flags;
};

struct lc_desired {
	struct lc_vec objs;		/* struct lc_obj *, in creation order */
	struct lc_map by_path;		/* DIR/LINK/ATTR by path; PIN by "pin:" path */
	const struct lc_cluster *c;
	const char *node;
	enum lc_rtpi_mode mode;
	bool pins;			/* per-LUN kernel with remote ports: pin local RTPIs */
	struct lc_arena mem;		/* the objects and their strings */
};
int lc_desired_build(const struct lc_cluster *c, const char *node, enum lc_rtpi_mode mode,
		     const struct lc_state *st, struct lc_desired *d, struct lc_error *err);
void lc_desired_free(struct lc_desired *d);
const struct lc_obj *lc_desired_get(const struct lc_desired *d, const char *path);

/* Compare a live value with a wanted one, by kind */
bool lc_value_equal(enum lc_cmp cmp, const char *live, const char *want);
/* A value as it is written back (e.g. the group name of "TG Port Alias: X") */
char *lc_value_writable(enum lc_cmp cmp, const char *live);
/* A device's control string from its info attribute, NULL if never given */
char *lc_control_from_info(const char *plugin, const char *info);

/* --- diff.c ------------------------------------------------------------------- */

struct lc_op {
	enum lc_op_kind kind;
	const char *path;
	char *arg;		/* WRITE: the value; SYMLINK: the target; UNLINK: the old target */
	char *old;		/* WRITE: the value to put back on undo, NULL: nothing */
	struct lc_kvs restore;	/* after undoing an RMDIR/UNLINK: attributes to write back */
	struct lc_kvs relink;	/* after undoing a LUN's UNLINK: mapped LUNs to link again
				 * (target core drops ACL mappings of an unlinked LUN) */
	unsigned int flags;	/* LC_OBJF_SECRET, ... */
	enum lc_change change;	/* what the op is part of, for the summary */
	bool fresh;		/* WRITE to an object this plan makes */
};

struct lc_plan {
	struct lc_vec ops;		/* struct lc_op * */
	size_t count[LC_CHANGES];	/* objects and properties, by change */
	struct lc_vec foreign;		/* char *: objects left alone */
	struct lc_vec created;		/* char *: paths the plan makes (ownership) */
	struct lc_vec removed;		/* char *: paths the plan removes */
	struct lc_vec states;		/* char *: "group=state" the plan records */
	struct lc_vec left;		/* char *: what a failed rollback left behind */
	char *node;
	struct lc_arena mem;		/* the ops, their paths and arguments */
};
void lc_op_free(struct lc_op *op);

/* desired vs live: the plan (report: collect differences for verify, never
 * refuse; mirrors_only: prune only the remote fabric; clear: nothing is
 * desired) */
int lc_diff(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node, struct lc_state *st,
	    bool report, bool mirrors_only, bool clear, struct lc_plan **out, struct lc_error *err);

/* --- apply.c ------------------------------------------------------------------ */

int lc_undo_op(struct lc_ctx *ctx, const struct lc_op *op);

#endif /* LIOCLUSTER_INTERNAL_H */
