// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: from the description to configfs operations.
 *
 * 1. desired(): every directory, attribute and link the node must have,
 *    in the order the kernel needs them created;
 * 2. lc_plan_node(): compare with the live tree; what is missing or
 *    different becomes an operation, and what the cluster owns but the
 *    description no longer has is removed (children first, backstores
 *    last);
 * 3. lc_apply(): run the operations, undoing them in reverse on failure.
 *
 * What the cluster owns: the HBAs <plugin>_<hba_index> and everything in
 * them; the remote fabric as a whole; and, under the node's own ports,
 * their LUNs and ACLs.  Nothing else is ever removed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* How an attribute's live value is compared with the wanted one */
enum attr_cmp {
	CMP_PLAIN,	/* the text, trimmed */
	CMP_NUMBER,	/* as numbers (the kernel prints 0x2 for 2) */
	CMP_SERIAL,	/* "T10 VPD Unit Serial Number: X" */
	CMP_TG_PT_GP,	/* "TG Port Alias: X" ... */
	CMP_ACCESS,	/* "Implicit and Explicit" is 3 */
	CMP_NEVER,	/* write-only or set once: written when its object is new */
};

enum obj_kind { OBJ_DIR, OBJ_ATTR, OBJ_LINK };

struct obj {
	enum obj_kind kind;
	char *path;
	char *value;		/* ATTR: the value; LINK: the target */
	enum attr_cmp cmp;
};

struct objs {
	struct obj *v;
	size_t n, cap;
};

static void add(struct objs *o, enum obj_kind kind, char *path, char *value,
		enum attr_cmp cmp)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		o->v = realloc(o->v, o->cap * sizeof(*o->v));
		if (!o->v) {
			fputs("liocluster: out of memory\n", stderr);
			abort();
		}
	}
	o->v[o->n++] = (struct obj){ kind, path, value, cmp };
}

static void objs_free(struct objs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].path);
		free(o->v[i].value);
	}
	free(o->v);
}

#define DIR_(o, ...) add(o, OBJ_DIR, lc_xasprintf(__VA_ARGS__), NULL, CMP_PLAIN)

static const char *lc_fabric_path(enum lc_fabric f)
{
	switch (f) {
	case LC_ISCSI:
		return "target/iscsi";
	case LC_LOOPBACK:
		return "target/loopback";
	case LC_FC:
		return "target/qla2xxx";
	}
	return "target/?";
}

static bool desired_has(const struct objs *o, enum obj_kind kind, const char *path);

static char *hba_dir(const struct lc_cluster *c, const struct lc_device *d)
{
	return lc_xasprintf("target/core/%s_%u", lc_backstore_plugin(d->backstore),
			    c->hba_index);
}

static char *dev_dir(const struct lc_cluster *c, const struct lc_device *d)
{
	return lc_xasprintf("target/core/%s_%u/%s", lc_backstore_plugin(d->backstore),
			    c->hba_index, d->name);
}

/* The TPG directory of port P as seen from NODE */
static char *tpg_dir(const struct lc_port *p, const char *node)
{
	bool local = !strcmp(p->node, node);
	char *w = local ? lc_local_wwn_dir(p) : lc_remote_wwn_dir(p);
	char *s = lc_xasprintf("target/%s/%s/tpgt_%u",
			       local ? lc_fabric_dir(p->fabric) : "remote", w, p->tag);

	free(w);
	return s;
}

static char *control_string(const struct lc_device *d, const char *node)
{
	switch (d->backstore) {
	case LC_RD_MCP:
		return lc_xasprintf("rd_pages=%llu", (unsigned long long)(d->size / 4096));
	case LC_FILEIO:
		return lc_xasprintf("fd_dev_name=%s,fd_dev_size=%llu",
				    lc_device_path(d, node), (unsigned long long)d->size);
	case LC_IBLOCK:
		return lc_xasprintf("udev_path=%s", lc_device_path(d, node));
	}
	return lc_xstrdup("");
}

static bool acl_maps(const struct lc_acl *a, unsigned int lun)
{
	size_t i;

	if (!a->luns)
		return true;
	for (i = 0; i < a->nluns; i++)
		if (a->luns[i] == lun)
			return true;
	return false;
}

/* Everything NODE must have, parents before children, in kernel order. */
static void desired(const struct lc_cluster *c, const char *node,
		    enum lc_rtpi_mode mode, struct objs *o)
{
	size_t i, j, k;

	for (i = 0; i < c->ndevices; i++) {
		const struct lc_device *d = &c->devices[i];
		char *hba = hba_dir(c, d), *dev = dev_dir(c, d);

		add(o, OBJ_DIR, hba, NULL, CMP_PLAIN);
		add(o, OBJ_DIR, lc_xstrdup(dev), NULL, CMP_PLAIN);
		add(o, OBJ_ATTR, lc_xasprintf("%s/control", dev), control_string(d, node),
		    CMP_NEVER);
		/* the unit serial names the LU in VPD 0x80/0x83: before any export */
		add(o, OBJ_ATTR, lc_xasprintf("%s/wwn/vpd_unit_serial", dev),
		    lc_xstrdup(d->serial), CMP_SERIAL);
		if (d->company_id >= 0)
			add(o, OBJ_ATTR, lc_xasprintf("%s/wwn/company_id", dev),
			    lc_xasprintf("%#lx", d->company_id), CMP_NUMBER);
		add(o, OBJ_ATTR, lc_xasprintf("%s/enable", dev), lc_xstrdup("1"), CMP_NUMBER);
		for (j = 0; j < c->ngroups; j++) {
			const struct lc_group *g = &c->groups[j];
			char *gd = lc_xasprintf("%s/alua/%s", dev, g->name);

			add(o, OBJ_DIR, lc_xstrdup(gd), NULL, CMP_PLAIN);
			add(o, OBJ_ATTR, lc_xasprintf("%s/tg_pt_gp_id", gd),
			    lc_xasprintf("%u", g->id), CMP_NUMBER);
			add(o, OBJ_ATTR, lc_xasprintf("%s/alua_access_type", gd),
			    lc_xasprintf("%u", g->access_type), CMP_ACCESS);
			/* the initial state; set-state moves it afterwards */
			add(o, OBJ_ATTR, lc_xasprintf("%s/alua_access_state", gd),
			    lc_xasprintf("%d", g->state), CMP_NEVER);
			add(o, OBJ_ATTR, lc_xasprintf("%s/preferred", gd),
			    lc_xstrdup(g->preferred ? "1" : "0"), CMP_NUMBER);
			if (g->transition_secs >= 0)
				add(o, OBJ_ATTR, lc_xasprintf("%s/implicit_trans_secs", gd),
				    lc_xasprintf("%d", g->transition_secs), CMP_NUMBER);
			free(gd);
		}
		free(dev);
	}

	DIR_(o, "target/remote");
	for (i = 0; i < c->nports; i++) {
		const struct lc_port *p = &c->ports[i];

		/* a fabric's directory appears when user space makes it */
		if (!strcmp(p->node, node) && !desired_has(o, OBJ_DIR, lc_fabric_path(p->fabric)))
			DIR_(o, "%s", lc_fabric_path(p->fabric));
	}

	/*
	 * Ports in the description's order, and each port's LUNs inside:
	 * before 6.4 the kernel numbers a device's ports in link order, so
	 * the same order on every node gives every port the same RTPI.
	 */
	for (i = 0; i < c->nports; i++) {
		const struct lc_port *p = &c->ports[i];
		bool local = !strcmp(p->node, node);
		char *tpg = tpg_dir(p, node);
		char *wwn = lc_xstrdup(tpg);

		*strrchr(wwn, '/') = '\0';
		add(o, OBJ_DIR, wwn, NULL, CMP_PLAIN);
		add(o, OBJ_DIR, lc_xstrdup(tpg), NULL, CMP_PLAIN);
		if (mode == LC_RTPI_PER_TPG || !local)
			add(o, OBJ_ATTR, lc_xasprintf("%s/rtpi", tpg),
			    lc_xasprintf("%u", p->rtpi), CMP_NUMBER);
		if (local && p->fabric == LC_LOOPBACK)
			/* tcm_loop scans its LUNs only once the nexus exists */
			add(o, OBJ_ATTR, lc_xasprintf("%s/nexus", tpg), lc_xstrdup(p->nexus),
			    CMP_PLAIN);
		if (local && p->fabric == LC_ISCSI) {
			add(o, OBJ_ATTR, lc_xasprintf("%s/attrib/authentication", tpg),
			    lc_xstrdup("0"), CMP_NUMBER);
			add(o, OBJ_ATTR, lc_xasprintf("%s/attrib/generate_node_acls", tpg),
			    lc_xstrdup("0"), CMP_NUMBER);
		}
		for (j = 0; j < c->nluns; j++) {
			const struct lc_lun *l = &c->luns[j];
			const struct lc_device *d = lc_find_device(c, l->device);
			char *lun = lc_xasprintf("%s/lun/lun_%u", tpg, l->lun);

			add(o, OBJ_DIR, lc_xstrdup(lun), NULL, CMP_PLAIN);
			add(o, OBJ_LINK, lc_xasprintf("%s/%s", lun, d->name), dev_dir(c, d),
			    CMP_PLAIN);
			add(o, OBJ_ATTR, lc_xasprintf("%s/alua_tg_pt_gp", lun),
			    lc_xstrdup(p->group), CMP_TG_PT_GP);
			free(lun);
		}
		for (j = 0; j < c->nacls; j++) {
			const struct lc_acl *a = &c->acls[j];
			char *acl = lc_xasprintf("%s/acls/%s", tpg, a->initiator);

			add(o, OBJ_DIR, lc_xstrdup(acl), NULL, CMP_PLAIN);
			for (k = 0; k < c->nluns; k++) {
				unsigned int n = c->luns[k].lun;

				if (!acl_maps(a, n))
					continue;
				DIR_(o, "%s/lun_%u", acl, n);
				add(o, OBJ_LINK, lc_xasprintf("%s/lun_%u/lun", acl, n),
				    lc_xasprintf("%s/lun/lun_%u", tpg, n), CMP_PLAIN);
			}
			free(acl);
		}
		if (local && p->fabric == LC_ISCSI) {
			for (j = 0; j < p->nportals; j++)
				DIR_(o, "%s/np/%s", tpg, p->portals[j]);
			/* last: from 6.4 enabling takes the written RTPI */
			add(o, OBJ_ATTR, lc_xasprintf("%s/enable", tpg), lc_xstrdup("1"),
			    CMP_NUMBER);
		}
		free(tpg);
	}
}

/* --- the plan ------------------------------------------------------------- */

struct restore {
	char *path;
	char *value;
};

struct op {
	enum lc_op_kind kind;
	char *path;
	char *arg;		/* WRITE: value; SYMLINK: target; UNLINK: old target */
	char *undo;		/* WRITE: the value before, if it can be put back */
	bool fresh;		/* WRITE inside a directory this plan creates */
	struct restore *after;	/* to write again after undoing this op */
	size_t nafter;
};

struct lc_plan {
	struct op *v;
	size_t n, cap;
};

static struct op *push(struct lc_plan *p, enum lc_op_kind kind, const char *path,
		       const char *arg)
{
	struct op *op;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v) {
			fputs("liocluster: out of memory\n", stderr);
			abort();
		}
	}
	op = &p->v[p->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->path = lc_xstrdup(path);
	op->arg = arg ? lc_xstrdup(arg) : NULL;
	return op;
}

static void restore_add(struct op *op, const char *path, const char *value)
{
	op->after = realloc(op->after, (op->nafter + 1) * sizeof(*op->after));
	if (!op->after) {
		fputs("liocluster: out of memory\n", stderr);
		abort();
	}
	op->after[op->nafter].path = lc_xstrdup(path);
	op->after[op->nafter].value = lc_xstrdup(value);
	op->nafter++;
}

void lc_plan_free(struct lc_plan *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].arg);
		free(p->v[i].undo);
		for (j = 0; j < p->v[i].nafter; j++) {
			free(p->v[i].after[j].path);
			free(p->v[i].after[j].value);
		}
		free(p->v[i].after);
	}
	free(p->v);
	free(p);
}

size_t lc_plan_count(const struct lc_plan *p)
{
	return p->n;
}

enum lc_op_kind lc_plan_op(const struct lc_plan *p, size_t i, const char **path,
			   const char **arg)
{
	*path = p->v[i].path;
	*arg = p->v[i].arg;
	return p->v[i].kind;
}

/* The comparable form of a live attribute value */
static char *normalize(enum attr_cmp cmp, const char *raw)
{
	const char *s = raw, *key = NULL;
	char *end;

	switch (cmp) {
	case CMP_ACCESS:
		/* target core shows the access type in words, takes a number */
		if (!strcmp(raw, "Implicit and Explicit"))
			return lc_xstrdup("3");
		if (!strcmp(raw, "Implicit"))
			return lc_xstrdup("1");
		if (!strcmp(raw, "Explicit"))
			return lc_xstrdup("2");
		if (!strcmp(raw, "None"))
			return lc_xstrdup("0");
		return normalize(CMP_NUMBER, raw);
	case CMP_NUMBER: {
		unsigned long long v;

		errno = 0;
		v = strtoull(raw, &end, 0);
		if (errno || end == raw)
			return lc_xstrdup(raw);
		return lc_xasprintf("%llu", v);
	}
	case CMP_SERIAL:
		key = "Number:";
		break;
	case CMP_TG_PT_GP:
		key = "Alias:";
		break;
	default:
		return lc_xstrdup(raw);
	}
	if (strstr(raw, key))
		s = strstr(raw, key) + strlen(key);
	while (*s == ' ')
		s++;
	end = lc_xstrdup(s);
	end[strcspn(end, "\n")] = '\0';
	return end;
}

static bool under_new(char **fresh, size_t nfresh, const char *path)
{
	size_t i, n;

	for (i = 0; i < nfresh; i++) {
		n = strlen(fresh[i]);
		if (!strncmp(path, fresh[i], n) && path[n] == '/')
			return true;
	}
	return false;
}

static bool in_list(char **list, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], path))
			return true;
	return false;
}

static bool desired_has(const struct objs *o, enum obj_kind kind, const char *path)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->v[i].kind == kind && !strcmp(o->v[i].path, path))
			return true;
	return false;
}

/* A LUN or ACL tree the description no longer has: children first, with
 * what it takes to put it back if the apply fails later. */
static void remove_lun(const struct lc_ctx *ctx, struct lc_plan *p, const char *lun,
		       const struct objs *want)
{
	char **links;
	size_t n, i;
	char *gp = NULL, *raw = NULL, *gpath = lc_xasprintf("%s/alua_tg_pt_gp", lun);

	if (!lc_read_attr(ctx, gpath, &raw))
		gp = normalize(CMP_TG_PT_GP, raw);
	free(raw);
	if (!lc_list(ctx, lun, false, true, &links, &n)) {
		for (i = 0; i < n; i++) {
			char *l = lc_xasprintf("%s/%s", lun, links[i]);
			char *t = lc_link_target(ctx, l);

			if (!desired_has(want, OBJ_LINK, l)) {
				struct op *op = push(p, LC_OP_UNLINK, l, t);

				if (gp && strcmp(gp, "default_tg_pt_gp"))
					restore_add(op, gpath, gp);
			}
			free(t);
			free(l);
		}
		lc_free_list(links, n);
	}
	if (!desired_has(want, OBJ_DIR, lun))
		push(p, LC_OP_RMDIR, lun, NULL);
	free(gp);
	free(gpath);
}

static void remove_acl(const struct lc_ctx *ctx, struct lc_plan *p, const char *acl,
		       const struct objs *want)
{
	char **maps;
	size_t n, i;

	if (!lc_list(ctx, acl, true, false, &maps, &n)) {
		for (i = 0; i < n; i++) {
			char *m = lc_xasprintf("%s/%s", acl, maps[i]);

			if (!strncmp(maps[i], "lun_", 4))
				remove_lun(ctx, p, m, want);
			free(m);
		}
		lc_free_list(maps, n);
	}
	if (!desired_has(want, OBJ_DIR, acl))
		push(p, LC_OP_RMDIR, acl, NULL);
}

/* Runs REMOVE on every directory in DIR. */
static void remove_each(const struct lc_ctx *ctx, struct lc_plan *p, const char *dir,
			const struct objs *want,
			void (*remove)(const struct lc_ctx *, struct lc_plan *, const char *,
				       const struct objs *))
{
	char **names;
	size_t n, i;

	if (lc_list(ctx, dir, true, false, &names, &n))
		return;
	for (i = 0; i < n; i++) {
		char *path = lc_xasprintf("%s/%s", dir, names[i]);

		remove(ctx, p, path, want);
		free(path);
	}
	lc_free_list(names, n);
}

/* Inside a TPG the cluster owns: LUNs and ACLs it does not want */
static void prune_tpg(const struct lc_ctx *ctx, struct lc_plan *p, const char *tpg,
		      const struct objs *want, bool whole)
{
	char *acls = lc_xasprintf("%s/acls", tpg), *luns = lc_xasprintf("%s/lun", tpg);

	remove_each(ctx, p, acls, want, remove_acl);
	remove_each(ctx, p, luns, want, remove_lun);
	free(acls);
	free(luns);
	if (whole) {
		struct op *op = push(p, LC_OP_RMDIR, tpg, NULL);
		char *rp = lc_xasprintf("%s/rtpi", tpg), *raw = NULL;

		/* a non-zero RTPI comes back with the TPG on rollback */
		if (!lc_read_attr(ctx, rp, &raw) && strtoul(raw, NULL, 0))
			restore_add(op, rp, raw);
		free(raw);
		free(rp);
	}
}

/* One of the cluster's backstores: the ALUA groups it does not want, then
 * the device itself if it is not wanted. */
static void prune_device(const struct lc_ctx *ctx, struct lc_plan *p, const char *dev,
			 const struct objs *want)
{
	char **gs, *alua = lc_xasprintf("%s/alua", dev);
	size_t ng, k;

	if (!lc_list(ctx, alua, true, false, &gs, &ng)) {
		for (k = 0; k < ng; k++) {
			char *g = lc_xasprintf("%s/%s", alua, gs[k]);

			if (strcmp(gs[k], "default_tg_pt_gp") && !desired_has(want, OBJ_DIR, g))
				push(p, LC_OP_RMDIR, g, NULL);
			free(g);
		}
		lc_free_list(gs, ng);
	}
	free(alua);
	if (!desired_has(want, OBJ_DIR, dev))
		push(p, LC_OP_RMDIR, dev, NULL);
}

/* Everything owned but not wanted, removed children first */
static void prune(const struct lc_ctx *ctx, const struct lc_cluster *c,
		  struct lc_plan *p, const struct objs *want)
{
	char **wwns, **tpgs;
	size_t nw, nt, i, j;

	/* the remote fabric belongs to the cluster as a whole */
	if (!lc_list(ctx, "target/remote", true, false, &wwns, &nw)) {
		for (i = 0; i < nw; i++) {
			char *w = lc_xasprintf("target/remote/%s", wwns[i]);
			bool keep_w = desired_has(want, OBJ_DIR, w);

			if (!strcmp(wwns[i], "discovery_auth")) {	/* target core's */
				free(w);
				continue;
			}

			if (!lc_list(ctx, w, true, false, &tpgs, &nt)) {
				for (j = 0; j < nt; j++) {
					char *t = lc_xasprintf("%s/%s", w, tpgs[j]);

					if (!strncmp(tpgs[j], "tpgt_", 5))
						prune_tpg(ctx, p, t, want,
							  !desired_has(want, OBJ_DIR, t));
					free(t);
				}
				lc_free_list(tpgs, nt);
			}
			if (!keep_w)
				push(p, LC_OP_RMDIR, w, NULL);
			free(w);
		}
		lc_free_list(wwns, nw);
	}
	/* the node's own TPGs: their LUNs and ACLs */
	for (i = 0; i < want->n; i++) {
		const struct obj *ob = &want->v[i];
		const char *t = strrchr(ob->path, '/');

		if (ob->kind == OBJ_DIR && !strncmp(ob->path, "target/", 7) &&
		    strncmp(ob->path, "target/remote/", 14) &&
		    strncmp(ob->path, "target/core/", 12) && t && !strncmp(t, "/tpgt_", 6) &&
		    lc_is_dir(ctx, ob->path))
			prune_tpg(ctx, p, ob->path, want, false);
	}
	/* the cluster's backstores, last of all */
	for (i = 0; i < 3; i++) {
		char *hba = lc_xasprintf("target/core/%s_%u",
					 lc_backstore_plugin((enum lc_backstore)i), c->hba_index);

		remove_each(ctx, p, hba, want, prune_device);
		free(hba);
	}
}

static int check_node(const struct lc_cluster *c, const char *node,
		      struct lc_error *err)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (!strcmp(c->nodes[i], node))
			return 0;
	return lc_fail(err, -ENOENT, "no node '%.64s' in cluster %s", node, c->name);
}

static int rtpi_capable(const struct lc_ctx *ctx, const struct lc_cluster *c,
			const char *node, struct lc_error *err)
{
	size_t i;

	if (lc_ctx_rtpi_mode(ctx) == LC_RTPI_PER_TPG)
		return 0;
	for (i = 0; i < c->nports; i++) {
		const struct lc_port *p = &c->ports[i];

		if (!strcmp(p->node, node) && p->rtpi_explicit && p->rtpi != i + 1)
			return lc_fail(err, -EOPNOTSUPP,
				       "port %s: this kernel (before 6.4) numbers its own ports itself; its RTPI will be %zu (its place in 'ports'), not %u",
				       p->label ? p->label : p->wwn, i + 1, p->rtpi);
	}
	return 0;
}

int lc_plan_node(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
		 struct lc_plan **out, struct lc_error *err)
{
	struct objs want = { 0 };
	struct lc_plan *p;
	char **fresh;
	size_t nfresh = 0, i;
	int ret;

	*out = NULL;
	ret = check_node(c, node, err);
	if (!ret)
		ret = rtpi_capable(ctx, c, node, err);
	if (ret)
		return ret;
	desired(c, node, lc_ctx_rtpi_mode(ctx), &want);
	p = lc_xcalloc(1, sizeof(*p));
	fresh = lc_xcalloc(want.n, sizeof(char *));
	for (i = 0; i < want.n; i++) {
		const struct obj *ob = &want.v[i];
		bool is_new = under_new(fresh, nfresh, ob->path);
		char *raw = NULL, *live, *want_v, *target;
		struct op *op;

		switch (ob->kind) {
		case OBJ_DIR:
			/* devices on one backstore share its HBA directory */
			if (in_list(fresh, nfresh, ob->path))
				break;
			if (is_new || !lc_is_dir(ctx, ob->path)) {
				push(p, LC_OP_MKDIR, ob->path, NULL);
				fresh[nfresh++] = ob->path;
			}
			break;
		case OBJ_ATTR:
			if (is_new) {
				push(p, LC_OP_WRITE, ob->path, ob->value)->fresh = true;
				break;
			}
			if (ob->cmp == CMP_NEVER)
				break;
			if (lc_read_attr(ctx, ob->path, &raw)) {
				push(p, LC_OP_WRITE, ob->path, ob->value);
				break;
			}
			live = normalize(ob->cmp, raw);
			want_v = normalize(ob->cmp, ob->value);
			if (strcmp(live, want_v)) {
				op = push(p, LC_OP_WRITE, ob->path, ob->value);
				/* an unset serial or group cannot be written back */
				if (*live && strcmp(live, "default_tg_pt_gp"))
					op->undo = lc_xstrdup(live);
			}
			free(live);
			free(want_v);
			free(raw);
			break;
		case OBJ_LINK:
			if (is_new) {
				push(p, LC_OP_SYMLINK, ob->path, ob->value);
				break;
			}
			target = lc_link_target(ctx, ob->path);
			if (!target || strcmp(target, ob->value)) {
				if (target || lc_exists(ctx, ob->path))
					push(p, LC_OP_UNLINK, ob->path, target);
				push(p, LC_OP_SYMLINK, ob->path, ob->value);
			}
			free(target);
			break;
		}
	}
	prune(ctx, c, p, &want);
	free(fresh);
	objs_free(&want);
	*out = p;
	return 0;
}

/* --- printing --------------------------------------------------------------- */

static const char *op_name(enum lc_op_kind k)
{
	static const char *const names[] = { "mkdir", "rmdir", "write", "symlink",
					     "unlink" };

	return names[k];
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void lc_plan_print(const struct lc_plan *p, FILE *f, bool json)
{
	size_t i;

	if (json) {
		fputs("{\"operations\":[", f);
		for (i = 0; i < p->n; i++) {
			fprintf(f, "%s{\"op\":\"%s\",\"path\":", i ? "," : "",
				op_name(p->v[i].kind));
			json_str(f, p->v[i].path);
			if (p->v[i].arg && p->v[i].kind != LC_OP_UNLINK) {
				fputs(p->v[i].kind == LC_OP_WRITE ? ",\"value\":" : ",\"target\":", f);
				json_str(f, p->v[i].arg);
			}
			fputc('}', f);
		}
		fprintf(f, "],\"count\":%zu}\n", p->n);
		return;
	}
	for (i = 0; i < p->n; i++) {
		const struct op *op = &p->v[i];

		switch (op->kind) {
		case LC_OP_WRITE:
			fprintf(f, "write   %s = %s\n", op->path, op->arg);
			break;
		case LC_OP_SYMLINK:
			fprintf(f, "symlink %s -> %s\n", op->path, op->arg);
			break;
		default:
			fprintf(f, "%-7s %s\n", op_name(op->kind), op->path);
		}
	}
}

/* --- apply ------------------------------------------------------------------- */

static int run_op(struct lc_ctx *ctx, enum lc_op_kind kind, const char *path,
		  const char *arg)
{
	const struct lc_backend *be = &ctx->be;

	ctx->ops_done++;
	switch (kind) {
	case LC_OP_MKDIR:
		return be->mkdir(be->priv, ctx->root, path);
	case LC_OP_RMDIR:
		return be->rmdir(be->priv, ctx->root, path);
	case LC_OP_WRITE:
		return be->write(be->priv, ctx->root, path, arg);
	case LC_OP_SYMLINK:
		return be->symlink(be->priv, ctx->root, arg, path);
	case LC_OP_UNLINK:
		return be->unlink(be->priv, ctx->root, path);
	}
	return -EINVAL;
}

/* Undo one done operation; returns 0 or the first error. */
static int undo_op(struct lc_ctx *ctx, const struct op *op)
{
	int ret = 0;
	size_t i;

	switch (op->kind) {
	case LC_OP_MKDIR:
		ret = run_op(ctx, LC_OP_RMDIR, op->path, NULL);
		break;
	case LC_OP_RMDIR:
		ret = run_op(ctx, LC_OP_MKDIR, op->path, NULL);
		break;
	case LC_OP_WRITE:
		if (!op->fresh && op->undo)
			ret = run_op(ctx, LC_OP_WRITE, op->path, op->undo);
		break;
	case LC_OP_SYMLINK:
		ret = run_op(ctx, LC_OP_UNLINK, op->path, NULL);
		break;
	case LC_OP_UNLINK:
		if (op->arg)
			ret = run_op(ctx, LC_OP_SYMLINK, op->path, op->arg);
		break;
	}
	for (i = 0; !ret && i < op->nafter; i++)
		ret = run_op(ctx, LC_OP_WRITE, op->after[i].path, op->after[i].value);
	return ret;
}

int lc_apply(struct lc_ctx *ctx, struct lc_plan *p, struct lc_error *err)
{
	size_t i, j, undone = 0, stuck = 0;
	char first_stuck[200] = "";
	bool injected = false;
	int ret = 0;

	for (i = 0; i < p->n; i++) {
		const struct op *op = &p->v[i];

		injected = ctx->fail_at && i + 1 == ctx->fail_at;
		if (injected)
			ret = -EIO;	/* for tests */
		else
			ret = run_op(ctx, op->kind, op->path, op->arg);
		if (ret)
			break;
	}
	if (!ret)
		return 0;
	for (j = i; j-- > 0;) {
		int r = undo_op(ctx, &p->v[j]);

		if (r) {
			if (!stuck++)
				snprintf(first_stuck, sizeof(first_stuck), "%s %.150s: %s",
					 op_name(p->v[j].kind), p->v[j].path, strerror(-r));
		} else {
			undone++;
		}
	}
	if (stuck)
		return lc_fail(err, ret,
			       "operation %zu of %zu failed: %s %.150s: %s%s; %zu undone, %zu could not be undone (first: %s)",
			       i + 1, p->n, op_name(p->v[i].kind), p->v[i].path,
			       strerror(-ret), injected ? " (injected)" : "", undone,
			       stuck, first_stuck);
	return lc_fail(err, ret,
		       "operation %zu of %zu failed: %s %.150s: %s%s; the %zu done before were undone",
		       i + 1, p->n, op_name(p->v[i].kind), p->v[i].path, strerror(-ret),
		       injected ? " (injected)" : "", undone);
}

/* --- verify ------------------------------------------------------------------ */

struct lc_report {
	char **lines;
	size_t n;
};

static void report_add(struct lc_report *r, char *line)
{
	char **v = realloc(r->lines, (r->n + 1) * sizeof(char *));

	if (!v) {
		fputs("liocluster: out of memory\n", stderr);
		abort();
	}
	r->lines = v;
	r->lines[r->n++] = line;
}

int lc_verify(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	      bool check_states, struct lc_report **out, struct lc_error *err)
{
	struct lc_report *r;
	struct lc_plan *p;
	size_t i, j;
	int ret;

	*out = NULL;
	ret = lc_plan_node(ctx, c, node, &p, err);
	if (ret)
		return ret;
	r = lc_xcalloc(1, sizeof(*r));
	for (i = 0; i < p->n; i++) {
		const struct op *op = &p->v[i];
		char *live = NULL;

		switch (op->kind) {
		case LC_OP_MKDIR:
			report_add(r, lc_xasprintf("missing: %s", op->path));
			break;
		case LC_OP_RMDIR:
			report_add(r, lc_xasprintf("extra: %s", op->path));
			break;
		case LC_OP_WRITE:
			if (op->fresh)
				break;	/* its directory is reported missing */
			lc_read_attr(ctx, op->path, &live);
			report_add(r, lc_xasprintf("different: %s is '%s', the description says '%s'",
						   op->path, live ? live : "(unreadable)", op->arg));
			free(live);
			break;
		case LC_OP_SYMLINK:
			if (!lc_is_dir(ctx, op->path) && lc_exists(ctx, op->path))
				break;	/* reported by its unlink */
			if (i == 0 || p->v[i - 1].kind != LC_OP_UNLINK ||
			    strcmp(p->v[i - 1].path, op->path))
				report_add(r, lc_xasprintf("missing: %s -> %s", op->path, op->arg));
			break;
		case LC_OP_UNLINK:
			report_add(r, lc_xasprintf("different: %s -> %s, the description says %s",
						   op->path, op->arg ? op->arg : "(dangling)",
						   i + 1 < p->n && p->v[i + 1].kind == LC_OP_SYMLINK &&
						   !strcmp(p->v[i + 1].path, op->path) ?
						   p->v[i + 1].arg : "nothing"));
			break;
		}
	}
	lc_plan_free(p);

	/* every LUN of every port reports the port's cluster-wide RTPI */
	for (i = 0; i < c->nports; i++) {
		const struct lc_port *pt = &c->ports[i];
		char *tpg = tpg_dir(pt, node);

		for (j = 0; j < c->nluns; j++) {
			char *f = lc_xasprintf("%s/lun/lun_%u/statistics/scsi_port/indx", tpg,
					       c->luns[j].lun);
			char *raw = NULL;

			if (lc_is_dir(ctx, tpg) && !lc_read_attr(ctx, f, &raw) &&
			    strtoul(raw, NULL, 0) != pt->rtpi)
				report_add(r, lc_xasprintf("rtpi drift: %s/lun/lun_%u reports RTPI %s, the cluster's is %u",
							   tpg, c->luns[j].lun, raw, pt->rtpi));
			free(raw);
			free(f);
		}
		free(tpg);
	}
	if (check_states) {
		for (i = 0; i < c->ndevices; i++) {
			char *dev = dev_dir(c, &c->devices[i]);

			for (j = 0; j < c->ngroups; j++) {
				const struct lc_group *g = &c->groups[j];
				char *f = lc_xasprintf("%s/alua/%s/alua_access_state", dev, g->name);
				char *raw = NULL;

				if (!lc_read_attr(ctx, f, &raw) && atoi(raw) != g->state)
					report_add(r, lc_xasprintf("state: %s is %s, the description says %s",
								   f, lc_state_name(atoi(raw)),
								   lc_state_name(g->state)));
				free(raw);
				free(f);
			}
			free(dev);
		}
	}
	*out = r;
	return 0;
}

size_t lc_report_count(const struct lc_report *r)
{
	return r->n;
}

const char *lc_report_line(const struct lc_report *r, size_t i)
{
	return i < r->n ? r->lines[i] : NULL;
}

void lc_report_print(const struct lc_report *r, FILE *f, bool json)
{
	size_t i;

	if (json) {
		fputs("{\"differences\":[", f);
		for (i = 0; i < r->n; i++) {
			fputs(i ? "," : "", f);
			json_str(f, r->lines[i]);
		}
		fprintf(f, "],\"count\":%zu}\n", r->n);
		return;
	}
	for (i = 0; i < r->n; i++)
		fprintf(f, "%s\n", r->lines[i]);
}

void lc_report_free(struct lc_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r);
}

/* --- ALUA states ------------------------------------------------------------- */

int lc_set_state(struct lc_ctx *ctx, const struct lc_cluster *c, const char *group,
		 int state, struct lc_error *err)
{
	const struct lc_group *g = lc_find_group(c, group);
	char **old;
	size_t i, done = 0;
	int ret = 0;

	if (!g)
		return lc_fail(err, -ENOENT, "no ALUA group '%.64s' in cluster %s", group, c->name);
	if (!strcmp(lc_state_name(state), "unknown") || state == 15)
		return lc_fail(err, -EINVAL, "%d is not a state to set", state);
	old = lc_xcalloc(c->ndevices, sizeof(char *));
	for (i = 0; i < c->ndevices && !ret; i++) {
		char *dev = dev_dir(c, &c->devices[i]);
		char *f = lc_xasprintf("%s/alua/%s/alua_access_state", dev, g->name);
		char *v = lc_xasprintf("%d", state);

		ret = lc_read_attr(ctx, f, &old[i]);
		if (ret)
			lc_fail(err, ret, "%s: %s (was the node applied?)", f, strerror(-ret));
		else if ((ret = run_op(ctx, LC_OP_WRITE, f, v)))
			lc_fail(err, ret, "%s: %s", f, strerror(-ret));
		else
			done++;
		free(v);
		free(f);
		free(dev);
	}
	/* all devices or none: put back the ones already changed */
	for (i = 0; ret && i < done; i++) {
		char *dev = dev_dir(c, &c->devices[i]);
		char *f = lc_xasprintf("%s/alua/%s/alua_access_state", dev, g->name);

		run_op(ctx, LC_OP_WRITE, f, old[i]);
		free(f);
		free(dev);
	}
	for (i = 0; i < c->ndevices; i++)
		free(old[i]);
	free(old);
	return ret;
}

/* --- status ------------------------------------------------------------------ */

int lc_status(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	      FILE *f, bool json, struct lc_error *err)
{
	size_t i, j;
	int ret = check_node(c, node, err);

	if (ret)
		return ret;
	if (json) {
		fprintf(f, "{\"cluster\":");
		json_str(f, c->name);
		fprintf(f, ",\"node\":");
		json_str(f, node);
		fputs(",\"devices\":[", f);
	} else {
		fprintf(f, "cluster %s, node %s\n", c->name, node);
	}
	for (i = 0; i < c->ndevices; i++) {
		const struct lc_device *d = &c->devices[i];
		char *dev = dev_dir(c, d);

		if (json) {
			fprintf(f, "%s{\"name\":", i ? "," : "");
			json_str(f, d->name);
			fputs(",\"present\":", f);
			fputs(lc_is_dir(ctx, dev) ? "true" : "false", f);
			fputs(",\"groups\":[", f);
		} else {
			fprintf(f, "device %s (%s, serial %s)%s\n", d->name,
				lc_backstore_plugin(d->backstore), d->serial,
				lc_is_dir(ctx, dev) ? "" : ": not configured");
		}
		for (j = 0; j < c->ngroups; j++) {
			const struct lc_group *g = &c->groups[j];
			char *sf = lc_xasprintf("%s/alua/%s/alua_access_state", dev, g->name);
			char *mf = lc_xasprintf("%s/alua/%s/members", dev, g->name);
			char *st = NULL, *mem = NULL;
			int s = -1;

			if (!lc_read_attr(ctx, sf, &st))
				s = atoi(st);
			lc_read_attr(ctx, mf, &mem);
			if (json) {
				fprintf(f, "%s{\"name\":", j ? "," : "");
				json_str(f, g->name);
				fprintf(f, ",\"id\":%u,\"state\":", g->id);
				json_str(f, s < 0 ? "absent" : lc_state_name(s));
				fputs(",\"members\":", f);
				json_str(f, mem ? mem : "");
				fputc('}', f);
			} else {
				fprintf(f, "  group %-16s id %-5u %-22s", g->name, g->id,
					s < 0 ? "absent" : lc_state_name(s));
				if (mem && *mem) {
					char *m, *save = NULL;

					for (m = strtok_r(mem, "\n", &save); m;
					     m = strtok_r(NULL, "\n", &save))
						fprintf(f, "\n      %s", m);
				}
				fputc('\n', f);
			}
			free(st);
			free(mem);
			free(sf);
			free(mf);
		}
		fputs(json ? "]}" : "", f);
		free(dev);
	}
	fputs(json ? "],\"ports\":[" : "", f);
	for (i = 0; i < c->nports; i++) {
		const struct lc_port *p = &c->ports[i];
		char *tpg = tpg_dir(p, node);
		char *lf = c->nluns ? lc_xasprintf("%s/lun/lun_%u/statistics/scsi_port/indx",
						   tpg, c->luns[0].lun) : NULL;
		char *live = NULL;

		if (lf)
			lc_read_attr(ctx, lf, &live);
		if (json) {
			fprintf(f, "%s{\"wwn\":", i ? "," : "");
			json_str(f, p->wwn);
			fprintf(f, ",\"tpg\":%u,\"node\":", p->tag);
			json_str(f, p->node);
			fprintf(f, ",\"local\":%s,\"rtpi\":%u,\"live_rtpi\":%s,\"group\":",
				strcmp(p->node, node) ? "false" : "true", p->rtpi,
				live ? live : "null");
			json_str(f, p->group);
			fputc('}', f);
		} else {
			fprintf(f, "port %s,t,%u on %s%s: RTPI %u (live: %s), group %s\n", p->wwn,
				p->tag, p->node, strcmp(p->node, node) ? " (remote)" : "",
				p->rtpi, live ? live : "none", p->group);
		}
		free(live);
		free(lf);
		free(tpg);
	}
	fputs(json ? "]}\n" : "", f);
	return 0;
}
