// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: the node's LIO tree as an admin reads it (like targetcli
 * ls): every object, depth-first, with what matters about it, and marks:
 * the node's own, a peer's mirror, not liocluster's (foreign), different
 * from the description (drift), or missing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct lc_status_entry {
	char *path;
	char *name;
	char *detail;
	int depth;
	unsigned int flags;
	enum lc_kind kind;
};

struct lc_status {
	struct lc_vec entries;
	char *node;
};

static char *value(struct lc_live *live, const char *obj, const char *attr)
{
	char *p = lc_xasprintf("%s/%s", obj, attr);
	const char *v = lc_live_value(live, p);

	free(p);
	return v ? lc_xstrdup(v) : NULL;
}

static char *detail(struct lc_live *live, const struct lc_live_obj *o, const struct lc_cluster *c)
{
	struct lc_buf b = { 0 };
	char *v, *w;

	switch (o->kind) {
	case LC_K_DEVICE: {
		const char *hba = strrchr(o->path, '/');
		char *h = lc_xstrndup(o->path, (size_t)(hba - o->path));
		const char *base = strrchr(h, '/') + 1;
		char *plugin = lc_xstrndup(base, (size_t)(strrchr(base, '_') ? strrchr(base, '_') - base : 0));
		char *info = value(live, o->path, "info");
		char *ctl = info ? lc_control_from_info(plugin, info) : NULL;
		const char *name = ctl ? strstr(ctl, "fd_dev_name=") : NULL, *size;

		lc_buf_printf(&b, "%s", plugin);
		if (ctl && !strncmp(ctl, "rd_pages=", 9))
			lc_buf_printf(&b, ", %llu MiB", strtoull(ctl + 9, NULL, 10) * 4096 >> 20);
		if (name) {
			size = strstr(name, ",fd_dev_size=");
			lc_buf_printf(&b, ", %.*s, %llu MiB", (int)(size ? size - name - 12 : 0), name + 12,
				      size ? strtoull(size + 13, NULL, 10) >> 20 : 0ULL);
		}
		if (ctl && !strncmp(ctl, "udev_path=", 10))
			lc_buf_printf(&b, ", %s", ctl + 10);
		v = value(live, o->path, "wwn/vpd_unit_serial");
		w = v ? lc_value_writable(LC_CMP_SERIAL, v) : NULL;
		if (w && *w)
			lc_buf_printf(&b, ", serial %s", w);
		free(w);
		free(v);
		v = value(live, o->path, "enable");
		lc_buf_printf(&b, v && atoi(v) == 1 ? "" : ", not configured");
		free(v);
		free(ctl);
		free(info);
		free(plugin);
		free(h);
		break;
	}
	case LC_K_GROUP:
		v = value(live, o->path, "tg_pt_gp_id");
		lc_buf_printf(&b, "id %s", v && *v ? v : "(none)");
		free(v);
		v = value(live, o->path, "alua_access_state");
		lc_buf_printf(&b, ", %s", v ? lc_state_name(atoi(v)) : "?");
		free(v);
		v = value(live, o->path, "preferred");
		if (v && atoi(v) == 1)
			lc_buf_printf(&b, ", preferred");
		free(v);
		v = value(live, o->path, "alua_access_type");
		w = v ? lc_value_writable(LC_CMP_ACCESS, v) : NULL;
		if (w && atoi(w) != 1)
			lc_buf_printf(&b, ", %s", atoi(w) == 3 ? "implicit and explicit" :
				      atoi(w) == 2 ? "explicit" : "no ALUA");
		free(w);
		free(v);
		break;
	case LC_K_TPG:
		v = value(live, o->path, "rtpi");
		if (v)
			lc_buf_printf(&b, "RTPI %ld", strtol(v, NULL, 0));
		free(v);
		v = value(live, o->path, "enable");
		if (v)
			lc_buf_printf(&b, "%s%s", b.n ? ", " : "", atoi(v) == 1 ? "enabled" : "disabled");
		free(v);
		v = value(live, o->path, "nexus");
		if (v && *v)
			lc_buf_printf(&b, "%snexus %s", b.n ? ", " : "", v);
		free(v);
		break;
	case LC_K_LUN: {
		const struct lc_live_obj *link = NULL;
		size_t i, n = strlen(o->path);

		for (i = 0; i < live->objs.n && !link; i++) {
			const struct lc_live_obj *l = live->objs.v[i];

			if (l->kind == LC_K_LUN_LINK && !strncmp(l->path, o->path, n) && l->path[n] == '/')
				link = l;
		}
		lc_buf_printf(&b, "-> %s", link && link->target ? strrchr(link->target, '/') + 1 : "(no device)");
		v = value(live, o->path, "statistics/scsi_port/indx");
		if (v && *v)
			lc_buf_printf(&b, ", RTPI %s", v);
		free(v);
		v = value(live, o->path, "alua_tg_pt_gp");
		w = v && *v ? lc_value_writable(LC_CMP_TG_PT_GP, v) : NULL;
		if (w)
			lc_buf_printf(&b, ", group %s", w);
		free(w);
		free(v);
		break;
	}
	case LC_K_MAPPED: {
		const struct lc_live_obj *link = NULL;
		size_t i, n = strlen(o->path);

		for (i = 0; i < live->objs.n && !link; i++) {
			const struct lc_live_obj *l = live->objs.v[i];

			if (l->kind == LC_K_MAPPED_LINK && !strncmp(l->path, o->path, n) && l->path[n] == '/')
				link = l;
		}
		lc_buf_printf(&b, "-> %s", link && link->target ? strrchr(link->target, '/') + 1 : "(nothing)");
		v = value(live, o->path, "write_protect");
		if (link && (!v || !*v))
			lc_buf_printf(&b, ", mapping dropped by target core");
		else if (v && atoi(v) == 1)
			lc_buf_printf(&b, ", read-only");
		free(v);
		break;
	}
	default:
		break;
	}
	(void)c;
	return lc_buf_take(&b);
}

static int depth_of(const char *path)
{
	int d = 0;

	for (; *path; path++)
		d += *path == '/';
	return d;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct lc_status_entry *x = *(const struct lc_status_entry *const *)a;
	const struct lc_status_entry *y = *(const struct lc_status_entry *const *)b;

	return strcmp(x->path, y->path);
}

static void add(struct lc_status *s, const char *path, enum lc_kind kind, char *detail,
		unsigned int flags)
{
	struct lc_status_entry *e = lc_xcalloc(1, sizeof(*e));
	int d = depth_of(path);

	e->path = lc_xstrdup(path);
	e->name = lc_xstrdup(strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	e->detail = detail;
	e->kind = kind;
	e->flags = flags;
	/* the grammar's intermediate groups (lun/, acls/, np/, alua/) are
	 * not shown: depth counts objects */
	if (kind == LC_K_GROUP || kind == LC_K_LUN || kind == LC_K_ACL || kind == LC_K_PORTAL)
		d--;
	if (kind == LC_K_MAPPED)
		d--;
	if (!strncmp(path, "target/core/", 12))
		d--;		/* HBAs beside the fabrics */
	e->depth = d - 1;
	lc_vec_push(&s->entries, e);
}

int lc_status(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	      struct lc_status **out, struct lc_error *err)
{
	struct lc_state st = { .lock_fd = -1 };
	struct lc_desired d;
	struct lc_live live;
	struct lc_report *r = NULL;
	struct lc_map drift = { 0 };
	struct lc_status *s;
	size_t i;
	int ret;

	*out = NULL;
	ret = lc_state_load(ctx, &st, err);
	if (!ret)
		ret = lc_desired_build(c, node, lc_ctx_rtpi_mode(ctx), &st, &d, err);
	if (ret) {
		lc_state_free(&st);
		return ret;
	}
	ret = lc_live_scan(ctx, &live, &d.by_path, err);
	if (!ret)
		ret = lc_verify(ctx, c, node, &r, err);
	if (ret) {
		lc_desired_free(&d);
		lc_state_free(&st);
		lc_live_free(&live);
		return ret;
	}
	/* a difference marks the object it belongs to */
	for (i = 0; i < lc_report_count(r); i++) {
		const char *path, *lv, *want;
		char *p;

		lc_report_entry(r, i, &path, &lv, &want);
		p = lc_xstrdup(path);
		while (lc_path_kind(p) == LC_K_NONE && strchr(p, '/'))
			*strrchr(p, '/') = '\0';
		if (lc_path_kind(p) == LC_K_LUN_LINK || lc_path_kind(p) == LC_K_MAPPED_LINK)
			*strrchr(p, '/') = '\0';
		if (!lc_map_get(&drift, p))
			lc_map_put(&drift, p, (void *)1);
		else
			free(p);
	}
	s = lc_xcalloc(1, sizeof(*s));
	s->node = lc_xstrdup(node);
	for (i = 0; i < live.objs.n; i++) {
		const struct lc_live_obj *o = live.objs.v[i];
		const struct lc_obj *want = lc_desired_get(&d, o->path);
		unsigned int flags = 0;

		if (o->kind == LC_K_LUN_LINK || o->kind == LC_K_MAPPED_LINK)
			continue;	/* shown in their LUN's line */
		if (want)
			flags |= (want->flags & LC_OBJF_LOCAL) ? LC_STATUS_LOCAL : 0;
		if (!strncmp(o->path, "target/remote/", 14))
			flags |= LC_STATUS_MIRROR;
		if (!want && !lc_state_owns(&st, o->path) && o->kind != LC_K_FABRIC &&
		    o->kind != LC_K_HBA)
			flags |= LC_STATUS_FOREIGN;
		if (!want && lc_state_owns(&st, o->path))
			flags |= LC_STATUS_DRIFT;	/* ours, no longer described */
		if (lc_map_get(&drift, o->path))
			flags |= LC_STATUS_DRIFT;
		add(s, o->path, o->kind, detail(&live, o, c), flags);
	}
	for (i = 0; i < d.objs.n; i++) {
		const struct lc_obj *o = d.objs.v[i];
		enum lc_kind k = lc_path_kind(o->path);

		if (o->kind == LC_OBJ_DIR && !lc_live_get(&live, o->path) && k != LC_K_NONE &&
		    !lc_is_dir(ctx, o->path))
			add(s, o->path, k, lc_xstrdup(""), LC_STATUS_MISSING | LC_STATUS_DRIFT |
			    ((o->flags & LC_OBJF_LOCAL) ? LC_STATUS_LOCAL : 0));
	}
	if (s->entries.n)
		qsort(s->entries.v, s->entries.n, sizeof(void *), cmp_entry);
	for (i = 0; i < drift.cap; i++)
		if (drift.keys && drift.keys[i])
			free((char *)drift.keys[i]);
	lc_map_free(&drift);
	lc_report_free(r);
	lc_live_free(&live);
	lc_desired_free(&d);
	lc_state_free(&st);
	*out = s;
	return 0;
}

size_t lc_status_count(const struct lc_status *s)
{
	return s->entries.n;
}

const char *lc_status_entry(const struct lc_status *s, size_t i, int *depth, const char **kind,
			    const char **detail, unsigned int *flags, const char **path)
{
	const struct lc_status_entry *e = s->entries.v[i];

	*depth = e->depth;
	*kind = lc_kind_name(e->kind);
	*detail = e->detail;
	*flags = e->flags;
	*path = e->path;
	return e->name;
}

static void entry_free(void *p)
{
	struct lc_status_entry *e = p;

	free(e->path);
	free(e->name);
	free(e->detail);
	free(e);
}

void lc_status_free(struct lc_status *s)
{
	if (!s)
		return;
	lc_vec_free(&s->entries, entry_free);
	free(s->node);
	free(s);
}
