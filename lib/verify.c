// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: verify.  The plan's differences, read as a report: every
 * property the tool writes is compared (the plan would write it otherwise),
 * and on top of the plan every LUN of every port is asked the RTPI it
 * reports, which is what initiators see.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct lc_entry {
	enum lc_diff_kind kind;
	char *path, *live, *want;
};

struct lc_report {
	struct lc_vec entries;
};

static void add(struct lc_report *r, enum lc_diff_kind kind, const char *path, const char *live,
		const char *want)
{
	struct lc_entry *e = lc_xcalloc(1, sizeof(*e));

	e->kind = kind;
	e->path = lc_xstrdup(path);
	e->live = live ? lc_xstrdup(live) : NULL;
	e->want = want ? lc_xstrdup(want) : NULL;
	lc_vec_push(&r->entries, e);
}

static void from_plan(struct lc_ctx *ctx, struct lc_report *r, const struct lc_plan *p)
{
	size_t i;

	for (i = 0; i < p->ops.n; i++) {
		const struct lc_op *op = p->ops.v[i];
		const struct lc_op *next = i + 1 < p->ops.n ? p->ops.v[i + 1] : NULL;
		bool secret = op->flags & LC_OBJF_SECRET;
		char *live = NULL, *w;

		switch (op->kind) {
		case LC_OP_MKDIR:
			if (i && ((const struct lc_op *)p->ops.v[i - 1])->kind == LC_OP_RMDIR &&
			    !strcmp(((const struct lc_op *)p->ops.v[i - 1])->path, op->path))
				break;	/* made again: its property is reported */
			add(r, LC_DIFF_MISSING, op->path, NULL, NULL);
			break;
		case LC_OP_RMDIR:
			if (next && next->kind == LC_OP_MKDIR && !strcmp(next->path, op->path))
				break;
			add(r, LC_DIFF_EXTRA, op->path, NULL, NULL);
			break;
		case LC_OP_UNLINK:
			if (next && next->kind == LC_OP_SYMLINK && !strcmp(next->path, op->path)) {
				/* the same target: target core dropped the mapping */
				add(r, LC_DIFF_DIFFERENT, op->path, op->arg ? op->arg : "(dangling)",
				    next->arg);
				i++;
				break;
			}
			add(r, LC_DIFF_EXTRA, op->path, op->arg, NULL);
			break;
		case LC_OP_SYMLINK:
			add(r, LC_DIFF_MISSING, op->path, NULL, op->arg);
			break;
		case LC_OP_WRITE:
			if (op->fresh)
				break;	/* its object is reported missing */
			if (!strcmp(op->path, "target/remote/local_rtpi")) {
				add(r, LC_DIFF_RTPI, op->path, op->old, op->arg);
				break;
			}
			if (!strcmp(strrchr(op->path, '/'), "/control")) {
				/* write-only: what it said shows in info */
				char *info = lc_xasprintf("%.*s/info",
							  (int)(strrchr(op->path, '/') - op->path), op->path);

				if (lc_read_attr(ctx, info, &live))
					live = NULL;
				w = live ? lc_control_from_info(strstr(op->arg, "rd_pages") ? "rd_mcp" :
								strstr(op->arg, "fd_dev") ? "fileio" :
								"iblock", live) : NULL;
				free(info);
			} else {
				if (lc_read_attr(ctx, op->path, &live))
					live = NULL;
				w = live ? lc_value_writable(lc_attr_cmp(strrchr(op->path, '/') + 1), live) : NULL;
			}
			add(r, strstr(op->path, "/alua_access_state") ? LC_DIFF_STATE : LC_DIFF_DIFFERENT,
			    op->path, secret ? (w ? "(secret)" : NULL) : w ? w : "(unreadable)",
			    secret ? "(secret)" : op->arg);
			free(w);
			free(live);
			break;
		}
	}
}

/* What each LUN of each port reports, against the port's RTPI */
static void rtpis(struct lc_ctx *ctx, struct lc_report *r, const struct lc_cluster *c,
		  const char *node)
{
	enum lc_rtpi_mode mode = lc_ctx_rtpi_mode(ctx);
	bool remote = false;
	size_t i, j;

	for (i = 0; i < c->nports; i++)
		remote |= strcmp(c->ports[i].node, node) != 0;
	for (i = 0; i < c->nports; i++) {
		const struct lc_port *p = &c->ports[i];
		char *tpg = lc_tpg_path(p, node);

		/* before 6.4 a local port gets its RTPI pinned only through
		 * a device tcm_remote reaches (docs/rtpi.md) */
		if (mode == LC_RTPI_PER_LUN && !remote && !strcmp(p->node, node)) {
			free(tpg);
			continue;
		}
		for (j = 0; j < c->nluns; j++) {
			char *f = lc_xasprintf("%s/lun/lun_%u/statistics/scsi_port/indx", tpg,
					       c->luns[j].lun);
			char *raw = NULL, want[16];

			snprintf(want, sizeof(want), "%u", p->rtpi);
			if (!lc_read_attr(ctx, f, &raw) && *raw && strtoul(raw, NULL, 0) != p->rtpi)
				add(r, LC_DIFF_RTPI, f, raw, want);
			free(raw);
			free(f);
		}
		free(tpg);
	}
}

int lc_verify(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	      struct lc_report **out, struct lc_error *err)
{
	struct lc_state st = { .lock_fd = -1 };
	struct lc_plan *p = NULL;
	struct lc_report *r;
	int ret;

	*out = NULL;
	ret = lc_state_load(ctx, &st, err);
	if (!ret)
		ret = lc_diff(ctx, c, node, &st, true, false, false, &p, err);
	lc_state_free(&st);
	if (ret)
		return ret;
	r = lc_xcalloc(1, sizeof(*r));
	from_plan(ctx, r, p);
	lc_plan_free(p);
	rtpis(ctx, r, c, node);
	*out = r;
	return 0;
}

size_t lc_report_count(const struct lc_report *r)
{
	return r->entries.n;
}

enum lc_diff_kind lc_report_entry(const struct lc_report *r, size_t i, const char **path,
				  const char **live, const char **want)
{
	const struct lc_entry *e = r->entries.v[i];

	*path = e->path;
	*live = e->live;
	*want = e->want;
	return e->kind;
}

const char *lc_diff_name(enum lc_diff_kind k)
{
	static const char *const names[] = { "missing", "extra", "different", "rtpi", "state" };

	return names[k];
}

static void entry_free(void *p)
{
	struct lc_entry *e = p;

	free(e->path);
	free(e->live);
	free(e->want);
	free(e);
}

void lc_report_free(struct lc_report *r)
{
	if (!r)
		return;
	lc_vec_free(&r->entries, entry_free);
	free(r);
}
