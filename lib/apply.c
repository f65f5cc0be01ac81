// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: running a plan.  One writer at a time (the node's lock);
 * the journal names what the run will make before anything changes, so a
 * run killed half-way is finished by the next; an operation that fails is
 * followed by the undo of every operation done, in reverse order, each
 * removed object made again with the attributes it had.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Write back what an object had, skipping what it already has again */
static int restore(struct lc_ctx *ctx, const struct lc_kvs *r)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < r->n; i++) {
		const char *path = r->v[i].key, *want = r->v[i].value;
		const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		char *now = NULL;
		int e;

		if (strcmp(name, "local_rtpi") && strcmp(name, "control") &&
		    !lc_read_attr(ctx, path, &now)) {
			char *w = lc_value_writable(lc_attr_cmp(name), now);
			bool same = lc_value_equal(LC_CMP_NUMBER, w, want);

			free(w);
			free(now);
			if (same)
				continue;
		}
		e = lc_run(ctx, LC_OP_WRITE, path, want);
		if (e && !ret)
			ret = e;
	}
	return ret;
}

int lc_undo_op(struct lc_ctx *ctx, const struct lc_op *op)
{
	int ret = 0, r;
	size_t i;

	switch (op->kind) {
	case LC_OP_MKDIR:
		return lc_run(ctx, LC_OP_RMDIR, op->path, NULL);
	case LC_OP_RMDIR:
		ret = lc_run(ctx, LC_OP_MKDIR, op->path, NULL);
		if (!ret)
			ret = restore(ctx, &op->restore);
		return ret;
	case LC_OP_WRITE:
		if (!op->fresh && op->old)
			ret = lc_run(ctx, LC_OP_WRITE, op->path, op->old);
		return ret;
	case LC_OP_SYMLINK:
		return lc_run(ctx, LC_OP_UNLINK, op->path, NULL);
	case LC_OP_UNLINK:
		if (!op->arg)
			return 0;	/* it pointed nowhere */
		ret = lc_run(ctx, LC_OP_SYMLINK, op->path, op->arg);
		if (!ret)
			ret = restore(ctx, &op->restore);
		for (i = 0; i < op->relink.n; i++) {
			r = lc_run(ctx, LC_OP_UNLINK, op->relink.v[i].key, NULL);
			if (!r)
				r = lc_run(ctx, LC_OP_SYMLINK, op->relink.v[i].key,
					   op->relink.v[i].value);
			if (r && !ret)
				ret = r;
		}
		return ret;
	}
	return -EINVAL;
}

/* Undo ops [0, done) in reverse; what cannot be undone goes to p->left */
static size_t rollback(struct lc_ctx *ctx, struct lc_plan *p, size_t done, char *first,
		       size_t len)
{
	size_t j, stuck = 0;

	for (j = done; j-- > 0;) {
		const struct lc_op *op = p->ops.v[j];
		int r = lc_undo_op(ctx, op);

		if (!r)
			continue;
		if (!stuck++)
			snprintf(first, len, "%s %.200s: %s", lc_op_name(op->kind), op->path,
				 strerror(-r));
		lc_vec_push(&p->left, lc_xasprintf("%s %s (%s)", lc_op_name(op->kind), op->path,
						   strerror(-r)));
	}
	return stuck;
}

/* Ownership after a run: what it removed is no longer ours, what it made is */
static void account(struct lc_state *st, const struct lc_plan *p)
{
	size_t i;

	for (i = 0; i < p->removed.n; i++)
		lc_state_disown(st, p->removed.v[i]);
	for (i = 0; i < p->created.n; i++)
		lc_state_own(st, p->created.v[i]);
}

static int run_plan(struct lc_ctx *ctx, struct lc_plan *p, struct lc_state *st,
		    struct lc_error *err)
{
	char first[400] = "";
	size_t i, stuck;
	bool injected = false;
	int ret = 0, r;

	if (p->ops.n) {
		ret = lc_state_journal(ctx, (const char *const *)p->created.v, p->created.n, err);
		if (ret)
			return ret;
	}
	for (i = 0; i < p->ops.n; i++) {
		const struct lc_op *op = p->ops.v[i];

		injected = ctx->fail_at && i + 1 == ctx->fail_at;
		ret = injected ? -EIO : lc_run(ctx, op->kind, op->path, op->arg);
		if (ret)
			break;
	}
	if (!ret) {
		account(st, p);
		return lc_state_save(ctx, st, err);
	}
	{
		const struct lc_op *op = p->ops.v[i];
		char what[400];

		snprintf(what, sizeof(what), "operation %zu of %zu failed: %s %.200s: %s%s", i + 1,
			 p->ops.n, lc_op_name(op->kind), op->path, strerror(-ret),
			 injected ? " (injected)" : "");
		stuck = rollback(ctx, p, i, first, sizeof(first));
		if (!stuck) {
			/* as it was: ownership unchanged; the journal goes */
			lc_state_drop_journal(ctx);
			return lc_fail(err, ret, "%s; the %zu done before were undone", what, i);
		}
		/* what is left behind is ours to clean up next time */
		for (i = 0; i < p->created.n; i++)
			lc_state_own(st, p->created.v[i]);
		r = lc_state_save(ctx, st, NULL);
		(void)r;
		return lc_fail(err, -ENOTRECOVERABLE,
			       "%s; the rollback could not undo %zu operations (first: %s): the node is neither as it was nor as described; run apply again",
			       what, stuck, first);
	}
}

static int locked_run(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
		      bool clear, bool mirrors_only, struct lc_plan **out, struct lc_error *err)
{
	struct lc_state st = { .lock_fd = -1 };
	struct lc_plan *p = NULL;
	bool made_remote = false;
	size_t i;
	int ret;

	if (out)
		*out = NULL;
	ret = lc_state_lock(ctx, &st, err);
	if (ret)
		return ret;
	/* the remote fabric's directory, like loading its module, is nobody's:
	 * made first, it also tells how this kernel numbers ports; a run that
	 * changes nothing else takes it away again */
	if (!clear && lc_cluster_has_remote(c, node) && !lc_is_dir(ctx, "target/remote") &&
	    lc_is_dir(ctx, "target")) {
		ret = lc_run(ctx, LC_OP_MKDIR, "target/remote", NULL);
		if (ret) {
			lc_fail(err, ret, "mkdir %s/target/remote: %s (is tcm_remote loaded? modprobe tcm_remote)",
				ctx->root, strerror(-ret));
			lc_state_unlock(&st);
			return ret;
		}
		made_remote = true;
	}
	ret = lc_state_load(ctx, &st, err);
	for (i = 0; !ret && i < ctx->nwants; i++)
		lc_state_set_wanted(&st, ctx->wants[i].group, ctx->wants[i].state);
	if (!ret)
		ret = lc_diff(ctx, c, node, &st, false, mirrors_only, clear, &p, err);
	if (!ret)
		ret = run_plan(ctx, p, &st, err);
	if (ret && made_remote)
		lc_run(ctx, LC_OP_RMDIR, "target/remote", NULL);
	lc_state_unlock(&st);
	lc_state_free(&st);
	if (out)
		*out = p;
	else
		lc_plan_free(p);
	return ret;
}

int lc_apply(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
	     struct lc_plan **out, struct lc_error *err)
{
	return locked_run(ctx, c, node, false, false, out, err);
}

int lc_clear(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node, bool mirrors_only,
	     struct lc_plan **out, struct lc_error *err)
{
	return locked_run(ctx, c, node, true, mirrors_only, out, err);
}

int lc_apply_want_state(struct lc_ctx *ctx, const struct lc_cluster *c, const char *group,
			int state, struct lc_error *err)
{
	const struct lc_group *g = lc_find_group(c, group);

	if (!g)
		return lc_fail(err, -ENOENT, "no ALUA group '%.64s' in cluster %s", group, c->name);
	if (!strcmp(lc_state_name(state), "unknown") || state == 15)
		return lc_fail(err, -EINVAL, "%d is not a state to set", state);
	ctx->wants = lc_xrealloc(ctx->wants, ctx->nwants + 1, sizeof(*ctx->wants));
	ctx->wants[ctx->nwants].group = g->name;
	ctx->wants[ctx->nwants++].state = state;
	return 0;
}

int lc_plan_node(struct lc_ctx *ctx, const struct lc_cluster *c, const char *node,
		 struct lc_plan **out, struct lc_error *err)
{
	struct lc_state st = { .lock_fd = -1 };
	size_t i;
	int ret = lc_state_load(ctx, &st, err);

	*out = NULL;
	for (i = 0; !ret && i < ctx->nwants; i++)
		lc_state_set_wanted(&st, ctx->wants[i].group, ctx->wants[i].state);
	if (!ret)
		ret = lc_diff(ctx, c, node, &st, false, false, false, out, err);
	lc_state_free(&st);
	return ret;
}
