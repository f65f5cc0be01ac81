/* SPDX-License-Identifier: GPL-2.0 */
/* libliocluster internals: the parsed description and shared helpers. */
#ifndef LIOCLUSTER_INTERNAL_H
#define LIOCLUSTER_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>

#include "liocluster.h"

#define LC_MAX_NODES	64
#define LC_MAX_ITEMS	4096	/* devices, groups, ports, LUNs, ACLs each */
#define LC_NAME_MAX	223	/* target core keeps names in 224 bytes */

enum lc_backstore { LC_RD_MCP, LC_FILEIO, LC_IBLOCK };
enum lc_fabric { LC_ISCSI, LC_LOOPBACK, LC_FC };

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
	char *serial;
	long company_id;		/* -1: the kernel's default */
};

struct lc_group {
	char *name;
	unsigned int id;
	int state;
	bool preferred;
	int transition_secs;		/* -1: the kernel's default */
	unsigned int access_type;	/* 1 implicit, 2 explicit, 3 both */
};

struct lc_port {
	char *label;
	char *node;
	enum lc_fabric fabric;
	char *wwn;			/* as the description gives it */
	unsigned int tag;
	unsigned int rtpi;		/* resolved: explicit or position */
	bool rtpi_explicit;
	char *group;
	char **portals;			/* iSCSI: "ip:port" */
	size_t nportals;
	char *nexus;			/* loopback: the initiator side */
};

struct lc_lun {
	unsigned int lun;
	char *device;
};

struct lc_acl {
	char *initiator;
	unsigned int *luns;		/* NULL: every LUN */
	size_t nluns;
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
};

/* error.c */
int lc_fail(struct lc_error *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *lc_xcalloc(size_t n, size_t size);
char *lc_xstrdup(const char *s);
char *lc_xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* names.c: what may become a configfs path component */
bool lc_safe_component(const char *s, size_t max);
bool lc_valid_wwn(enum lc_fabric fabric, const char *wwn);
bool lc_valid_initiator(const char *name);
/* The directory name of a port's WWN on its own fabric, and of its mirror
 * on the remote fabric; caller frees. */
char *lc_local_wwn_dir(const struct lc_port *p);
char *lc_remote_wwn_dir(const struct lc_port *p);
const char *lc_fabric_dir(enum lc_fabric f);
const char *lc_backstore_plugin(enum lc_backstore b);

/* cluster.c */
const struct lc_device *lc_find_device(const struct lc_cluster *c,
				       const char *name);
const struct lc_group *lc_find_group(const struct lc_cluster *c,
				     const char *name);
const char *lc_device_path(const struct lc_device *d, const char *node);

#endif /* LIOCLUSTER_INTERNAL_H */

/* backend.c: the configfs operations, on paths relative to the root.  The
 * unit tests swap in a backend that emulates the default groups configfs
 * creates by itself. */
struct lc_backend {
	int (*mkdir)(void *priv, const char *root, const char *path);
	int (*rmdir)(void *priv, const char *root, const char *path);
	int (*write)(void *priv, const char *root, const char *path,
		     const char *value);
	int (*symlink)(void *priv, const char *root, const char *target,
		       const char *link);
	int (*unlink)(void *priv, const char *root, const char *link);
	void *priv;
};

extern const struct lc_backend lc_sys_backend;

struct lc_ctx {
	char *root;
	enum lc_rtpi_mode rtpi_mode;
	unsigned int fail_at;
	struct lc_backend be;
	unsigned long long ops_done;	/* configfs operations, for measurements */
};

void lc_ctx_set_backend(struct lc_ctx *ctx, const struct lc_backend *be);

/* Reading is the same for every backend (a plain file system will do). */
char *lc_path(const struct lc_ctx *ctx, const char *rel);
int lc_read_attr(const struct lc_ctx *ctx, const char *rel, char **out);
bool lc_is_dir(const struct lc_ctx *ctx, const char *rel);
bool lc_exists(const struct lc_ctx *ctx, const char *rel);
/* The configfs-relative path a link points to, or NULL. */
char *lc_link_target(const struct lc_ctx *ctx, const char *rel);
/* Names in a directory: subdirectories (dirs), links (links). */
int lc_list(const struct lc_ctx *ctx, const char *rel, bool dirs, bool links,
	    char ***names, size_t *count);
void lc_free_list(char **names, size_t count);
