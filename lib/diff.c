// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: the plan.  The desired tree is compared with the live one
 * object by object (hash look-ups both ways) and every difference becomes
 * an operation:
 *
 *   - what is missing is made, in the desired tree's order (parents first,
 *     attributes after the objects they need, RTPIs before links);
 *   - what differs is written, with the old value kept for the undo;
 *   - what liocluster made and the description no longer has is removed,
 *     links first, then directories deepest first, backstores last; each
 *     removal keeps the object's writable attributes so that an undo makes
 *     it again as it was.
 *
 * Before anything changes it refuses what would fail half-way or silently:
 * objects that exist and are not ours (unless adopted), RTPIs another port
 * of the device already holds, changes the kernel cannot make in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct diff {
	struct lc_ctx *ctx;
	const struct lc_cluster *c;
	const char *node;
	struct lc_desired d;
	struct lc_live live;
	struct lc_state *st;
	struct lc_plan *p;
	struct lc_map fresh;		/* paths this plan makes (or makes again) */
	struct lc_map removing;		/* paths this plan removes */
	struct lc_map link_in;		/* LUN/mapped dir -> its live link */
	struct lc_map pins;		/* local_rtpi key -> live value (text) */
	struct lc_map stale;		/* mapped-LUN links whose LUN is linked again */
	struct lc_map aliased;		/* live links that are desired ones under another name */
	bool report;			/* verify: collect, never refuse */
	struct lc_vec problems;		/* char *: reasons to refuse */
};

static struct lc_op *push(struct diff *df, enum lc_op_kind kind, const char *path, const char *arg,
			  enum lc_change change)
{
	struct lc_op *op = lc_arena_alloc(&df->p->mem, sizeof(*op));

	op->kind = kind;
	op->path = lc_arena_str(&df->p->mem, path);
	op->arg = lc_arena_str(&df->p->mem, arg);
	op->change = change;
	lc_vec_push(&df->p->ops, op);
	return op;
}

/* What an op holds outside its plan's arena; a secret is wiped */
void lc_op_free(struct lc_op *op)
{
	if (op->arg && (op->flags & LC_OBJF_SECRET))
		memset(op->arg, 0, strlen(op->arg));
	free(op->old);
	lc_kvs_free(&op->restore);
	lc_kvs_free(&op->relink);
}

static void problem(struct diff *df, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct diff *df, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		lc_vec_push(&df->problems, s);
}

static bool is_fresh(const struct diff *df, const char *path)
{
	return path && lc_map_get(&df->fresh, path);
}

static void mark_fresh(struct diff *df, const char *path)
{
	lc_map_put(&df->fresh, path, (void *)1);
}

/* Fabric directories and HBAs are shared containers: never ours, never foreign */
static bool shared_container(const char *path)
{
	enum lc_kind k = lc_path_kind(path);

	return k == LC_K_FABRIC || k == LC_K_HBA;
}

static int depth(const char *path)
{
	int n = 1;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* --- ownership --------------------------------------------------------------------- */

/*
 * The live link of desired link O: at its path, or the one link of its LUN
 * (mapped LUN) under another name with the same target.  Target core reads
 * only a link's target; targetcli names links after a random id.
 */
static const struct lc_live_obj *live_link(const struct diff *df, const struct lc_obj *o)
{
	const struct lc_live_obj *l = lc_live_get(&df->live, o->path);

	if (l)
		return l;
	l = lc_map_get(&df->link_in, o->owner);
	return l && l->target && !strcmp(l->target, o->value) ? l : NULL;
}

static void find_aliases(struct diff *df)
{
	size_t i;

	for (i = 0; i < df->d.objs.n; i++) {
		const struct lc_obj *o = df->d.objs.v[i];
		const struct lc_live_obj *l;

		if (o->kind != LC_OBJ_LINK || lc_live_get(&df->live, o->path))
			continue;
		l = live_link(df, o);
		if (l)
			lc_map_put(&df->aliased, l->path, (void *)o);
	}
}

/* Desired objects that exist and are not ours: adopt them, or refuse */
static void check_foreign(struct diff *df)
{
	size_t i, shown = 0, more = 0;

	for (i = 0; i < df->d.objs.n; i++) {
		const struct lc_obj *o = df->d.objs.v[i];
		const struct lc_live_obj *l;

		if ((o->kind != LC_OBJ_DIR && o->kind != LC_OBJ_LINK) || shared_container(o->path))
			continue;
		l = o->kind == LC_OBJ_LINK ? live_link(df, o) : lc_live_get(&df->live, o->path);
		if (!l || lc_state_owns(df->st, l->path))
			continue;
		if (df->ctx->adopt) {
			lc_state_own(df->st, l->path);
			continue;
		}
		if (shown++ < 5)
			problem(df, "%s exists and liocluster did not make it (targetcli, another tool or an admin did); give --adopt to take it over, or remove it",
				l->path);
		else
			more++;
	}
	if (more)
		problem(df, "... and %zu more objects that exist and are not liocluster's", more);
}

/* --- RTPIs ------------------------------------------------------------------------- */

static char *pin_line(const char *tpg, const char *rtpi);

/* The RTPI a live LUN reports: its own (before 6.4) or its TPG's */
static long live_rtpi(struct diff *df, const char *lun)
{
	char *f = lc_xasprintf("%s/statistics/scsi_port/indx", lun);
	const char *v = lc_live_value(&df->live, f);
	long r = v ? strtol(v, NULL, 0) : -1;

	free(f);
	return r;
}

static void read_pins(struct diff *df)
{
	const char *table = lc_live_value(&df->live, "target/remote/local_rtpi");
	char *copy, *line, *save = NULL;

	if (!table)
		return;
	copy = lc_xstrdup(table);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		lc_map_put(&df->pins, lc_xasprintf("target/%s", line), lc_xstrdup(sp + 1));
	}
	free(copy);
}

/*
 * Every RTPI the description gives must be free on every device this node
 * exports: no LUN of a port outside the description may report it, and no
 * other port may pin it (tcm_remote refuses a value pinned twice).
 */
static void check_rtpis(struct diff *df)
{
	const struct lc_cluster *c = df->c;
	struct lc_map wanted = { 0 }, devs = { 0 };
	char (*keys)[8] = lc_xcalloc(c->nports + 1, 8);
	size_t i;

	for (i = 0; i < c->nports; i++) {
		snprintf(keys[i], 8, "%u", c->ports[i].rtpi);
		lc_map_put(&wanted, keys[i], &c->ports[i]);
	}
	for (i = 0; i < c->ndevices; i++)
		lc_map_put(&devs, lc_dev_path(c, &c->devices[i], df->node), (void *)1);
	for (i = 0; i < df->live.objs.n; i++) {
		const struct lc_live_obj *o = df->live.objs.v[i];
		char key[16], *lun, *tpg;
		const struct lc_port *p;
		long r;

		if (o->kind != LC_K_LUN_LINK || !o->target || !lc_map_get(&devs, o->target))
			continue;
		tpg = lc_tpg_of(o->path);
		if (tpg && lc_desired_get(&df->d, tpg)) {
			free(tpg);
			continue;	/* one of ours: it gets its RTPI */
		}
		lun = lc_xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));
		r = live_rtpi(df, lun);
		snprintf(key, sizeof(key), "%ld", r);
		p = r > 0 ? lc_map_get(&wanted, key) : NULL;
		if (p && !df->report)
			problem(df, "%s reports RTPI %ld on device %s, which the description gives to port %s; remove that LUN (it is not in the description), or give %s another rtpi",
				tpg ? tpg : lun, r, o->target, p->label, p->label);
		free(lun);
		free(tpg);
	}
	/* values pinned by ports outside the description (before 6.4) */
	for (i = 0; i < df->live.objs.n && df->d.mode == LC_RTPI_PER_LUN; i++) {
		const struct lc_live_obj *o = df->live.objs.v[i];
		const struct lc_port *p;
		const char *v;
		char *f, key[16];

		if (o->kind != LC_K_TPG || strncmp(o->path, "target/remote/", 14) ||
		    lc_desired_get(&df->d, o->path) ||
		    (lc_state_owns(df->st, o->path) && !df->report))
			continue;
		f = lc_xasprintf("%s/rtpi", o->path);
		v = lc_live_value(&df->live, f);
		snprintf(key, sizeof(key), "%ld", v ? strtol(v, NULL, 0) : 0);
		p = lc_map_get(&wanted, key);
		if (p && !df->report)
			problem(df, "%s pins RTPI %s, which the description gives to port %s; remove it or give %s another rtpi",
				o->path, key, p->label, p->label);
		free(f);
	}
	for (i = 0; i < df->pins.cap; i++) {
		const char *k = df->pins.keys ? df->pins.keys[i] : NULL;
		const struct lc_port *p;
		char key[16];

		if (!k || lc_desired_get(&df->d, k) || lc_state_owns(df->st, k))
			continue;
		snprintf(key, sizeof(key), "%ld", strtol(df->pins.vals[i], NULL, 0));
		p = lc_map_get(&wanted, key);
		if (!p || df->report)
			continue;
		if (!lc_live_get(&df->live, k)) {
			/* a pin of a port that is gone (removed by hand, or a
			 * run before a reboot-less clear): nothing reports it,
			 * so it goes first, undone like any write */
			char *line = pin_line(k, "0");
			struct lc_op *op = push(df, LC_OP_WRITE, "target/remote/local_rtpi", line, LC_REMOVE);

			op->old = pin_line(k, df->pins.vals[i]);
			free(line);
			continue;
		}
		problem(df, "target/remote/local_rtpi pins RTPI %s for %s, which the description gives to port %s; write '%s 0' to it, or give %s another rtpi",
			key, k, p->label, k + 7, p->label);
	}
	for (i = 0; i < devs.cap; i++)
		if (devs.keys && devs.keys[i])
			free((char *)devs.keys[i]);
	lc_map_free(&devs);
	lc_map_free(&wanted);
	free(keys);
}

/* --- attributes the description names ------------------------------------------------- */

/* A live object like OWNER: a device for a device, a TPG or ACL of the same
 * fabric for a TPG or ACL */
static const char *sibling(const struct diff *df, const char *owner)
{
	enum lc_kind k = lc_path_kind(owner);
	const char *fab = owner + 7;
	size_t flen = strcspn(fab, "/"), i;

	for (i = 0; i < df->live.objs.n; i++) {
		const struct lc_live_obj *o = df->live.objs.v[i];

		if (o->kind == k && (k == LC_K_DEVICE || !strncmp(o->path + 7, fab, flen + 1)))
			return o->path;
	}
	return NULL;
}

/* Each attribute the description names must be one this kernel offers:
 * checked on the object itself, or on one like it (when the node has none
 * yet, the write itself fails and the apply rolls back) */
static void check_named(struct diff *df)
{
	size_t i;

	for (i = 0; i < df->d.objs.n; i++) {
		const struct lc_obj *o = df->d.objs.v[i];
		const char *where, *rel;
		char *f;

		if (!(o->flags & LC_OBJF_NAMED))
			continue;
		rel = o->path + strlen(o->owner) + 1;
		where = lc_live_get(&df->live, o->owner) ? o->owner : sibling(df, o->owner);
		if (!where)
			continue;
		f = lc_xasprintf("%s/%s", where, rel);
		if (!lc_exists(df->ctx, f))
			problem(df, "%s: this kernel has no attribute %s (see %s/%.*s)", o->owner, rel,
				where, (int)(strrchr(rel, '/') ? strrchr(rel, '/') - rel : 0), rel);
		free(f);
	}
}

/* --- making and changing -------------------------------------------------------------- */

static bool parent_fresh(const struct diff *df, const struct lc_obj *o)
{
	return is_fresh(df, o->owner);
}

/* Live mapped-LUN links that point at LUN directory LUN */
static void mapped_links_to(const struct diff *df, const char *lun, struct lc_vec *out)
{
	size_t i;

	for (i = 0; i < df->live.objs.n; i++) {
		const struct lc_live_obj *o = df->live.objs.v[i];

		if (o->kind == LC_K_MAPPED_LINK && o->target && !strcmp(o->target, lun))
			lc_vec_push(out, (void *)o);
	}
}

/* Link a live link again (target core dropped what it meant) */
static void relink(struct diff *df, const struct lc_live_obj *l, const char *target)
{
	char *dir = lc_xstrndup(l->path, (size_t)(strrchr(l->path, '/') - l->path));
	struct lc_op *op = push(df, LC_OP_UNLINK, l->path, l->target, LC_MODIFY);

	lc_live_capture(&df->live, dir, lc_path_kind(dir), true, &op->restore);
	free(dir);
	push(df, LC_OP_SYMLINK, l->path, target, LC_MODIFY);
}

/* The alua_tg_pt_gp of a LUN joins a group that this plan makes again */
static bool group_remade(const struct diff *df, const struct lc_obj *o)
{
	const struct lc_live_obj *link;
	char *lun, *gp;
	bool r;

	if (o->cmp != LC_CMP_TG_PT_GP)
		return false;
	lun = lc_xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));
	link = lc_map_get(&df->link_in, lun);
	free(lun);
	if (!link || !link->target)
		return false;
	gp = lc_xasprintf("%s/alua/%s", link->target, o->value);
	r = is_fresh(df, gp);
	free(gp);
	return r;
}

/* Make a device or an ALUA group again: it exists with a definition the
 * kernel cannot change in place (a configured device's backing store, a
 * group's id).  Both are the first property of their object. */
static void remake(struct diff *df, const struct lc_obj *o, const char *why);
static void restore_members(struct diff *df, struct lc_op *op, const char *group);
static struct lc_op *removal(struct diff *df, const struct lc_live_obj *o, enum lc_change ch);

static void attr_op_live(struct diff *df, const struct lc_obj *o, const char *live);

/* Each attribute is read once: no cache (a big tree has a few hundred
 * thousand of them) */
static void attr_op(struct diff *df, const struct lc_obj *o)
{
	char *path, *live = NULL;

	if (parent_fresh(df, o)) {
		attr_op_live(df, o, NULL);
		return;
	}
	/* control is write-only: what it said shows in info */
	path = o->cmp == LC_CMP_CONTROL ? lc_xasprintf("%s/info", o->owner) : NULL;
	if (lc_read_attr(df->ctx, path ? path : o->path, &live))
		live = NULL;
	attr_op_live(df, o, live);
	free(live);
	free(path);
}

static void attr_op_live(struct diff *df, const struct lc_obj *o, const char *live)
{
	struct lc_op *op;
	char *old;

	if (parent_fresh(df, o)) {
		/* a new group is active/optimized (core_alua_allocate_tg_pt_gp):
		 * writing that again would only mark it "altered" */
		if ((o->flags & LC_OBJF_STATE) && !strcmp(o->value, "0")) {
			df->p->count[LC_UNCHANGED]++;
			return;
		}
		op = push(df, LC_OP_WRITE, o->path, o->value, LC_CREATE);
		op->fresh = true;
		op->flags = o->flags & LC_OBJF_SECRET;
		return;
	}
	if (lc_value_equal(o->cmp, live, o->value) && !group_remade(df, o)) {
		df->p->count[LC_UNCHANGED]++;
		return;
	}
	if (o->cmp == LC_CMP_CONTROL) {
		char *en = lc_xasprintf("%s/enable", o->owner);
		const char *enabled = lc_live_value(&df->live, en);

		free(en);
		if (enabled && atoi(enabled) == 1) {
			remake(df, o, "its backing store");
			return;
		}
		/* never configured (a run killed after mkdir): configure it now */
		op = push(df, LC_OP_WRITE, o->path, o->value, LC_MODIFY);
		return;
	}
	if (!strcmp(strrchr(o->path, '/'), "/tg_pt_gp_id") && live && atoi(live) != 0) {
		remake(df, o, "its id");
		return;
	}
	if (!strcmp(strrchr(o->path, '/'), "/nexus") && live && *live) {
		problem(df, "%s is %s, the description says %s: tcm_loop changes a nexus only without LUNs; remove the port's LUNs (or the port) first",
			o->path, live, o->value);
		return;
	}
	if (!strcmp(strrchr(o->path, '/'), "/rtpi") && df->d.mode == LC_RTPI_PER_TPG &&
	    (o->flags & LC_OBJF_LOCAL)) {
		char *en = lc_xasprintf("%s/enable", o->owner);
		const char *enabled = lc_live_value(&df->live, en);

		free(en);
		if (enabled && atoi(enabled) == 1 && !df->report) {
			problem(df, "%s is %s, the description says %s: the kernel keeps an enabled TPG's RTPI; disable it (echo 0 > %s/enable) and apply again, or give the port rtpi: %ld",
				o->path, live ? live : "?", o->value, o->owner,
				live ? strtol(live, NULL, 0) : 0L);
			return;
		}
	}
	old = NULL;
	if (live && *live) {
		old = lc_value_writable(o->cmp, live);
		/* an unset serial cannot be written back */
		if (!*old) {
			free(old);
			old = NULL;
		}
	}
	op = push(df, LC_OP_WRITE, o->path, o->value, LC_MODIFY);
	op->old = old;
	op->flags = o->flags & LC_OBJF_SECRET;
}

static char *pin_line(const char *tpg, const char *rtpi)
{
	return lc_xasprintf("%s %s", tpg + strlen("target/"), rtpi);
}

/* A local port's pinned RTPI (before 6.4): in tcm_remote's table, and
 * reported by every LUN of the port */
static void pin_op(struct diff *df, const struct lc_obj *o)
{
	const char *live = lc_map_get(&df->pins, o->owner);
	bool ok = live && strtol(live, NULL, 0) == strtol(o->value, NULL, 0);
	struct lc_op *op;
	char *line;
	size_t i;

	for (i = 0; ok && i < df->c->nluns; i++) {
		char *lun = lc_xasprintf("%s/lun/lun_%u", o->owner, df->c->luns[i].lun);
		const struct lc_op *last;
		size_t j;

		/* a LUN linked by this plan reports what the counter gave it */
		for (j = 0; ok && j < df->p->ops.n; j++) {
			last = df->p->ops.v[j];
			if (last->kind == LC_OP_SYMLINK && !strncmp(last->path, lun, strlen(lun)) &&
			    last->path[strlen(lun)] == '/')
				ok = false;
		}
		if (ok && lc_live_get(&df->live, lun) && live_rtpi(df, lun) != strtol(o->value, NULL, 0))
			ok = false;
		free(lun);
	}
	if (ok) {
		df->p->count[LC_UNCHANGED]++;
		return;
	}
	line = pin_line(o->owner, o->value);
	op = push(df, LC_OP_WRITE, "target/remote/local_rtpi", line, LC_MODIFY);
	op->old = pin_line(o->owner, live ? live : "0");
	free(line);
}

static void link_op(struct diff *df, const struct lc_obj *o)
{
	const struct lc_live_obj *l;
	const struct lc_live_obj *other;

	if (parent_fresh(df, o)) {
		lc_vec_push(&df->p->created, push(df, LC_OP_SYMLINK, o->path, o->value, LC_CREATE)->path);
		return;
	}
	l = live_link(df, o);
	if (l && l->target && !strcmp(l->target, o->value) && !lc_map_get(&df->stale, l->path)) {
		char *wp, *v = NULL;

		if (l->kind != LC_K_MAPPED_LINK) {
			df->p->count[LC_UNCHANGED]++;
			return;
		}
		/* a mapping target core dropped (its LUN was unlinked once):
		 * the link is still there, write_protect reads empty, the
		 * initiator sees nothing */
		wp = lc_xasprintf("%s/write_protect", o->owner);
		if (lc_read_attr(df->ctx, wp, &v) || *v) {
			df->p->count[LC_UNCHANGED]++;
		} else {
			relink(df, l, o->value);
		}
		free(v);
		free(wp);
		return;
	}
	if (l && l->target && !strcmp(l->target, o->value)) {
		relink(df, l, o->value);	/* its LUN was linked again */
		return;
	}
	/* a LUN holds one link: another one goes first */
	other = lc_map_get(&df->link_in, o->owner);
	if (other && strcmp(other->path, o->path) && !lc_map_get(&df->removing, other->path)) {
		struct lc_op *op = push(df, LC_OP_UNLINK, other->path, other->target, LC_MODIFY);
		char *dir = lc_xstrndup(other->path, (size_t)(strrchr(other->path, '/') - other->path));

		lc_live_capture(&df->live, dir, lc_path_kind(dir), true, &op->restore);
		free(dir);
		lc_map_put(&df->removing, other->path, (void *)1);
		lc_vec_push(&df->p->removed, op->path);
	}
	if (l) {
		struct lc_op *op = push(df, LC_OP_UNLINK, o->path, l->target, LC_MODIFY);
		char *dir = lc_xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));

		lc_live_capture(&df->live, dir, lc_path_kind(dir), true, &op->restore);
		free(dir);
	}
	lc_vec_push(&df->p->created,
		    push(df, LC_OP_SYMLINK, o->path, o->value, l ? LC_MODIFY : LC_CREATE)->path);
	if (lc_path_kind(o->path) == LC_K_LUN_LINK) {
		struct lc_vec m = { 0 };
		size_t i;

		/* the LUN joins the default group and takes a new RTPI: its
		 * attributes are written as new; target core dropped every ACL
		 * mapping of it, so mapped LUNs are linked again */
		mark_fresh(df, o->owner);
		mapped_links_to(df, o->owner, &m);
		for (i = 0; i < m.n; i++)
			lc_map_put(&df->stale, ((struct lc_live_obj *)m.v[i])->path, (void *)1);
		lc_vec_free(&m, NULL);
	}
}

static void dir_op(struct diff *df, const struct lc_obj *o)
{
	struct lc_op *op;

	if (!parent_fresh(df, o) && lc_live_get(&df->live, o->path)) {
		df->p->count[LC_UNCHANGED]++;
		return;
	}
	if (!parent_fresh(df, o) && !strncmp(o->path, "target/", 7) &&
	    lc_path_kind(o->path) == LC_K_FABRIC && lc_is_dir(df->ctx, o->path)) {
		df->p->count[LC_UNCHANGED]++;	/* a fabric the scan could not list */
		return;
	}
	op = push(df, LC_OP_MKDIR, o->path, NULL, LC_CREATE);
	mark_fresh(df, o->path);
	/* a fabric is nobody's; an HBA we make is ours to remove when empty */
	if (lc_path_kind(o->path) != LC_K_FABRIC)
		lc_vec_push(&df->p->created, op->path);
}

/* --- removing ------------------------------------------------------------------------- */

/* The live links inside a LUN or mapped-LUN directory, by directory */
static void index_links(struct diff *df)
{
	size_t i;

	for (i = 0; i < df->live.objs.n; i++) {
		struct lc_live_obj *o = df->live.objs.v[i];
		char *dir;

		if (o->kind != LC_K_LUN_LINK && o->kind != LC_K_MAPPED_LINK)
			continue;
		dir = lc_xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));
		/* the LUN's own path string, from the walk */
		{
			const struct lc_live_obj *d = lc_live_get(&df->live, dir);

			if (d && !lc_map_get(&df->link_in, d->path))
				lc_map_put(&df->link_in, d->path, o);
		}
		free(dir);
	}
}

static struct lc_op *removal(struct diff *df, const struct lc_live_obj *o, enum lc_change ch)
{
	struct lc_op *op;

	if (o->kind == LC_K_LUN_LINK || o->kind == LC_K_MAPPED_LINK) {
		char *dir = lc_xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));

		op = push(df, LC_OP_UNLINK, o->path, o->target, ch);
		lc_live_capture(&df->live, dir, lc_path_kind(dir), true, &op->restore);
		free(dir);
	} else {
		op = push(df, LC_OP_RMDIR, o->path, NULL, ch);
		lc_live_capture(&df->live, o->path, o->kind, false, &op->restore);
	}
	lc_map_put(&df->removing, o->path, (void *)1);
	lc_vec_push(&df->p->removed, op->path);
	return op;
}

/* A LUN's own pin (before 6.4) must be written again after it is linked again */
static void restore_pin(struct diff *df, struct lc_op *op, const struct lc_live_obj *o)
{
	char *tpg = lc_tpg_of(o->path);
	const char *v = tpg ? lc_map_get(&df->pins, tpg) : NULL;
	struct lc_kvs *r = &op->restore;

	if (v && o->kind == LC_K_LUN_LINK) {
		r->v = lc_xrealloc(r->v, r->n + 1, sizeof(*r->v));
		r->v[r->n].key = lc_xstrdup("target/remote/local_rtpi");
		r->v[r->n].value = pin_line(tpg, v);
		r->n++;
	}
	free(tpg);
}

/* The ALUA group's members that stay: written back into it on undo */
static void restore_members(struct diff *df, struct lc_op *op, const char *group)
{
	const char *name = strrchr(group, '/') + 1;
	char *dev = lc_xstrndup(group, (size_t)(strstr(group, "/alua/") - group));
	struct lc_kvs *r = &op->restore;
	size_t i;

	for (i = 0; i < df->live.objs.n; i++) {
		const struct lc_live_obj *o = df->live.objs.v[i];
		char *lun, *f;
		const char *v;
		char *gname;

		if (o->kind != LC_K_LUN_LINK || !o->target || strcmp(o->target, dev) ||
		    lc_map_get(&df->removing, o->path))
			continue;
		lun = lc_xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));
		f = lc_xasprintf("%s/alua_tg_pt_gp", lun);
		v = lc_live_value(&df->live, f);
		gname = v ? lc_value_writable(LC_CMP_TG_PT_GP, v) : NULL;
		if (gname && !strcmp(gname, name)) {
			r->v = lc_xrealloc(r->v, r->n + 1, sizeof(*r->v));
			r->v[r->n].key = f;
			r->v[r->n].value = lc_xstrdup(name);
			r->n++;
			f = NULL;
		}
		free(gname);
		free(f);
		free(lun);
	}
	free(dev);
}

static void remake(struct diff *df, const struct lc_obj *o, const char *why)
{
	const char *obj = o->owner;
	enum lc_kind kind = lc_path_kind(obj);
	const struct lc_live_obj *lo = lc_live_get(&df->live, obj);
	size_t i, n = strlen(obj);
	struct lc_op *op;

	if (!lo || df->report) {
		/* verify reports the property as it is */
		push(df, LC_OP_WRITE, o->path, o->value, LC_MODIFY);
		return;
	}
	if (kind == LC_K_DEVICE) {
		for (i = 0; i < df->live.objs.n; i++) {
			const struct lc_live_obj *l = df->live.objs.v[i];

			if (l->kind == LC_K_LUN_LINK && l->target && !strcmp(l->target, obj)) {
				problem(df, "device %s is exported (%s) and the description changes %s: LIO cannot change a configured device; take its LUNs out of the description, apply, then put them back",
					obj, l->path, why);
				return;
			}
		}
	}
	if (kind == LC_K_GROUP) {
		/* members leave the group first; they join the new one later */
		char *dev = lc_xstrndup(obj, (size_t)(strstr(obj, "/alua/") - obj));
		const char *name = strrchr(obj, '/') + 1;

		for (i = 0; i < df->live.objs.n; i++) {
			const struct lc_live_obj *l = df->live.objs.v[i];
			char *lun, *f, *g, *tpg;
			const char *v;

			if (l->kind != LC_K_LUN_LINK || !l->target || strcmp(l->target, dev))
				continue;
			lun = lc_xstrndup(l->path, (size_t)(strrchr(l->path, '/') - l->path));
			f = lc_xasprintf("%s/alua_tg_pt_gp", lun);
			v = lc_live_value(&df->live, f);
			g = v ? lc_value_writable(LC_CMP_TG_PT_GP, v) : NULL;
			tpg = lc_tpg_of(l->path);
			if (g && !strcmp(g, name)) {
				if (!tpg || !lc_desired_get(&df->d, tpg))
					problem(df, "ALUA group %s: the description changes %s, and %s (not in the description) is a member, which LIO would move to default_tg_pt_gp",
						obj, why, lun);
				else
					push(df, LC_OP_WRITE, f, "default_tg_pt_gp", LC_MODIFY)->old =
						lc_xstrdup(name);
			}
			free(tpg);
			free(g);
			free(f);
			free(lun);
		}
		free(dev);
	}
	/* a device's groups go with it (they are made again below) */
	for (i = 0; i < df->live.objs.n; i++) {
		const struct lc_live_obj *l = df->live.objs.v[i];

		if (l->kind == LC_K_GROUP && !strncmp(l->path, obj, n) && l->path[n] == '/')
			restore_members(df, removal(df, l, LC_MODIFY), l->path);
	}
	op = removal(df, lo, LC_MODIFY);
	if (kind == LC_K_GROUP)
		restore_members(df, op, obj);
	/* the property is the object's first: everything after it follows */
	lc_vec_push(&df->p->created, push(df, LC_OP_MKDIR, obj, NULL, LC_MODIFY)->path);
	mark_fresh(df, obj);
	push(df, LC_OP_WRITE, o->path, o->value, LC_MODIFY)->fresh = true;
}

static int cmp_removal(const void *a, const void *b)
{
	const struct lc_live_obj *x = *(const struct lc_live_obj *const *)a;
	const struct lc_live_obj *y = *(const struct lc_live_obj *const *)b;
	bool lx = x->kind == LC_K_LUN_LINK || x->kind == LC_K_MAPPED_LINK;
	bool ly = y->kind == LC_K_LUN_LINK || y->kind == LC_K_MAPPED_LINK;
	bool cx = !strncmp(x->path, "target/core/", 12), cy = !strncmp(y->path, "target/core/", 12);

	if (lx != ly)
		return lx ? -1 : 1;
	if (depth(x->path) != depth(y->path))
		return depth(y->path) - depth(x->path);
	if (cx != cy)
		return cx ? 1 : -1;	/* backstores after ports */
	return strcmp(x->path, y->path);
}

/* Ours, and no longer described: removed; anything else is left alone */
static void prune(struct diff *df, bool mirrors_only)
{
	struct lc_vec gone = { 0 };
	size_t i;

	for (i = 0; i < df->live.objs.n; i++) {
		const struct lc_live_obj *o = df->live.objs.v[i];
		char *parent;

		if (lc_map_get(&df->removing, o->path) || lc_desired_get(&df->d, o->path) ||
		    lc_map_get(&df->aliased, o->path))
			continue;
		if (mirrors_only && strncmp(o->path, "target/remote/", 14))
			continue;
		if (lc_state_owns(df->st, o->path)) {
			lc_vec_push(&gone, (void *)o);
			continue;
		}
		if (o->kind == LC_K_HBA)
			continue;
		if (shared_container(o->path))
			continue;
		/* foreign: shown once, at its top */
		parent = lc_xstrndup(o->path, (size_t)(strrchr(o->path, '/') - o->path));
		while (lc_path_kind(parent) == LC_K_NONE && strchr(parent, '/'))
			*strrchr(parent, '/') = '\0';
		if (!lc_live_get(&df->live, parent) || lc_state_owns(df->st, parent) ||
		    lc_desired_get(&df->d, parent) || shared_container(parent))
			lc_vec_push(&df->p->foreign, lc_xstrdup(o->path));
		free(parent);
	}
	/* an HBA of ours goes only when every device in it goes */
	for (i = 0; i < gone.n; i++) {
		const struct lc_live_obj *h = gone.v[i];
		size_t j, n = strlen(h->path);
		bool keep = false;

		if (h->kind != LC_K_HBA)
			continue;
		for (j = 0; j < df->live.objs.n && !keep; j++) {
			const struct lc_live_obj *d = df->live.objs.v[j];
			size_t g;
			bool going = false;

			if (d->kind != LC_K_DEVICE || strncmp(d->path, h->path, n) || d->path[n] != '/')
				continue;
			for (g = 0; g < gone.n && !going; g++)
				going = gone.v[g] == d;
			keep = !going;
		}
		if (keep)
			gone.v[i--] = gone.v[--gone.n];
	}
	/* nothing goes that a link outside the removal still points at (a
	 * port of another tool on our device): configfs would refuse it
	 * half-way (EBUSY) */
	if (!df->report) {
		struct lc_map going = { 0 };

		for (i = 0; i < gone.n; i++)
			lc_map_put(&going, ((struct lc_live_obj *)gone.v[i])->path, (void *)1);
		for (i = 0; i < df->live.objs.n; i++) {
			const struct lc_live_obj *l = df->live.objs.v[i];

			if ((l->kind == LC_K_LUN_LINK || l->kind == LC_K_MAPPED_LINK) && l->target &&
			    lc_map_get(&going, l->target) && !lc_map_get(&going, l->path) &&
			    !lc_map_get(&df->removing, l->path))
				problem(df, "%s would be removed, but %s (not liocluster's) links to it; remove that link first",
					l->target, l->path);
		}
		lc_map_free(&going);
	}
	if (gone.n)
		qsort(gone.v, gone.n, sizeof(void *), cmp_removal);
	/* pins of local ports that go (before 6.4) */
	for (i = 0; i < df->pins.cap; i++) {
		const char *k = df->pins.keys ? df->pins.keys[i] : NULL;
		struct lc_op *op;
		char *line;
		size_t j;
		bool going = false;

		if (!k || lc_desired_get(&df->d, k))
			continue;
		for (j = 0; j < gone.n && !going; j++)
			going = !strcmp(((struct lc_live_obj *)gone.v[j])->path, k);
		if (!going)
			continue;
		line = pin_line(k, "0");
		op = push(df, LC_OP_WRITE, "target/remote/local_rtpi", line, LC_REMOVE);
		op->old = pin_line(k, df->pins.vals[i]);
		free(line);
	}
	for (i = 0; i < gone.n; i++) {
		const struct lc_live_obj *o = gone.v[i];
		struct lc_op *op = removal(df, o, LC_REMOVE);

		restore_pin(df, op, o);
		if (o->kind == LC_K_GROUP)
			restore_members(df, op, o->path);
	}
	lc_vec_free(&gone, NULL);
}

/* --- the plan ---------------------------------------------------------------------------- */

static void free_keys(struct lc_map *m, bool vals)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (m->keys && m->keys[i]) {
			free((char *)m->keys[i]);
			if (vals)
				free(m->vals[i]);
		}
	}
	lc_map_free(m);
}

static void diff_free(struct diff *df)
{
	lc_desired_free(&df->d);
	lc_live_free(&df->live);
	lc_map_free(&df->fresh);
	lc_map_free(&df->removing);
	lc_map_free(&df->stale);
	lc_map_free(&df->aliased);
	lc_map_free(&df->link_in);
	free_keys(&df->pins, true);
	lc_vec_free(&df->problems, free);
}

static void summarize(struct lc_plan *p)
{
	size_t i;

	for (i = 0; i < p->ops.n; i++) {
		const struct lc_op *op = p->ops.v[i];

		if (op->kind == LC_OP_WRITE && op->fresh)
			continue;	/* a property of an object made */
		if (op->kind == LC_OP_UNLINK && i + 1 < p->ops.n &&
		    ((struct lc_op *)p->ops.v[i + 1])->kind == LC_OP_SYMLINK)
			continue;	/* half of a link changed */
		p->count[op->change]++;
	}
}

int lc_diff(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node, struct lc_state *st,
	    bool report, bool mirrors_only, bool clear, struct lc_plan **out, struct lc_error *err)
{
	struct diff df = { .ctx = ctx, .c = c, .node = node, .st = st, .report = report };
	struct lc_plan *p;
	size_t i;
	int ret = 0;

	*out = NULL;
	if (clear) {
		/* nothing is desired: everything ours goes */
		if (!lc_cluster_has_node(c, node))
			return lc_fail(err, -ENOENT, "no node '%.64s' in cluster %s", node, c->name);
		memset(&df.d, 0, sizeof(df.d));
		df.d.mode = lc_ctx_rtpi_mode(ctx);
	} else {
		ret = lc_desired_build(c, node, lc_ctx_rtpi_mode(ctx), st, &df.d, err);
	}
	if (!ret)
		ret = lc_live_scan(ctx, &df.live, &df.d.by_path, err);
	if (ret) {
		diff_free(&df);
		return ret;
	}
	p = lc_xcalloc(1, sizeof(*p));
	p->node = lc_xstrdup(node);
	df.p = p;
	/* what we made and is gone is no longer ours */
	for (i = 0; i < st->owned_paths.n; i++)
		if (!lc_live_get(&df.live, st->owned_paths.v[i]))
			lc_state_disown(st, st->owned_paths.v[i]);
	index_links(&df);
	find_aliases(&df);
	read_pins(&df);
	if (!clear) {
		check_foreign(&df);
		check_rtpis(&df);
		check_named(&df);
	}
	for (i = 0; i < df.d.objs.n && (!df.problems.n || report); i++) {
		const struct lc_obj *o = df.d.objs.v[i];

		switch (o->kind) {
		case LC_OBJ_DIR:
			dir_op(&df, o);
			break;
		case LC_OBJ_ATTR:
			attr_op(&df, o);
			break;
		case LC_OBJ_LINK:
			link_op(&df, o);
			break;
		case LC_OBJ_PIN:
			pin_op(&df, o);
			break;
		}
	}
	if (!df.problems.n || report)
		prune(&df, mirrors_only);
	/* undoing a LUN's unlink links it again: its mapped LUNs that stay
	 * must be linked again after it */
	for (i = 0; i < p->ops.n; i++) {
		struct lc_op *op = p->ops.v[i];
		struct lc_vec m = { 0 };
		char *lun;
		size_t j;

		if (op->kind != LC_OP_UNLINK || lc_path_kind(op->path) != LC_K_LUN_LINK)
			continue;
		lun = lc_xstrndup(op->path, (size_t)(strrchr(op->path, '/') - op->path));
		mapped_links_to(&df, lun, &m);
		for (j = 0; j < m.n; j++) {
			const struct lc_live_obj *l = m.v[j];
			struct lc_kvs *r = &op->relink;

			if (lc_map_get(&df.removing, l->path))
				continue;
			r->v = lc_xrealloc(r->v, r->n + 1, sizeof(*r->v));
			r->v[r->n].key = lc_xstrdup(l->path);
			r->v[r->n].value = lc_xstrdup(l->target);
			r->n++;
		}
		lc_vec_free(&m, NULL);
		free(lun);
	}
	if (df.problems.n && !report) {
		struct lc_buf b = { 0 };

		for (i = 0; i < df.problems.n; i++)
			lc_buf_printf(&b, "%s%s", i ? "\n  " : "", (char *)df.problems.v[i]);
		ret = lc_fail(err, -EEXIST, "%s%s", df.problems.n > 1 ? "refused, nothing changed:\n  " :
			      "refused, nothing changed: ", b.s);
		free(b.s);
		lc_plan_free(p);
		diff_free(&df);
		return ret;
	}
	summarize(p);
	diff_free(&df);
	*out = p;
	return 0;
}

void lc_plan_free(struct lc_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->ops.n; i++)
		lc_op_free(p->ops.v[i]);
	lc_vec_free(&p->ops, NULL);
	lc_vec_free(&p->foreign, free);
	lc_vec_free(&p->created, NULL);	/* the ops' paths */
	lc_vec_free(&p->removed, NULL);
	lc_vec_free(&p->states, free);
	lc_vec_free(&p->left, free);
	free(p->node);
	lc_arena_free(&p->mem);
	free(p);
}

size_t lc_plan_count(const struct lc_plan *p)
{
	return p->ops.n;
}

enum lc_op_kind lc_plan_op(const struct lc_plan *p, size_t i, const char **path, const char **arg)
{
	const struct lc_op *op = p->ops.v[i];

	*path = op->path;
	*arg = (op->flags & LC_OBJF_SECRET) ? "(secret)" : op->arg;
	return op->kind;
}

enum lc_change lc_plan_change(const struct lc_plan *p, size_t i)
{
	return ((const struct lc_op *)p->ops.v[i])->change;
}

const char *lc_op_name(enum lc_op_kind k)
{
	static const char *const names[] = { "mkdir", "rmdir", "write", "symlink", "unlink" };

	return names[k];
}

const char *lc_change_name(enum lc_change c)
{
	static const char *const names[] = { "create", "change", "remove", "unchanged" };

	return c < LC_CHANGES ? names[c] : "?";
}

size_t lc_plan_summary(const struct lc_plan *p, enum lc_change c)
{
	return c < LC_CHANGES ? p->count[c] : 0;
}

size_t lc_plan_foreign_count(const struct lc_plan *p)
{
	return p->foreign.n;
}

const char *lc_plan_foreign(const struct lc_plan *p, size_t i)
{
	return i < p->foreign.n ? p->foreign.v[i] : NULL;
}

size_t lc_plan_left_count(const struct lc_plan *p)
{
	return p->left.n;
}

const char *lc_plan_left(const struct lc_plan *p, size_t i)
{
	return i < p->left.n ? p->left.v[i] : NULL;
}
