// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: ALUA state changes.  A group's state is set on every
 * device of the cluster on this node, all or none, under the node's lock;
 * the state is kept as the group's wanted state (plan, apply and verify use
 * it from then on), recorded before configfs changes so that a run killed
 * half-way is finished by the next apply.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char *state_path(const struct lc_ctx *ctx, const struct lc_cluster *c, size_t dev,
			const struct lc_group *g)
{
	char *gp = lc_group_path(c, &c->devices[dev], g, ctx->node);
	char *f = lc_xasprintf("%s/alua_access_state", gp);

	free(gp);
	return f;
}

/* Devices whose HBA differs per node are found only knowing the node */
static int need_node(const struct lc_ctx *ctx, const struct lc_cluster *c, struct lc_error *err)
{
	size_t i;

	for (i = 0; !ctx->node && i < c->ndevices; i++)
		if (c->devices[i].nhbas)
			return lc_fail(err, -EINVAL, "device %s has an HBA per node: name this node (lc_ctx_set_node, --node)",
				       c->devices[i].name);
	return 0;
}

int lc_set_state(struct lc_ctx *ctx, const struct lc_cluster *c, const char *group, int state,
		 struct lc_error *err)
{
	const struct lc_group *g = lc_find_group(c, group);
	struct lc_state st = { .lock_fd = -1 };
	char **old = NULL, value[16];
	int ret, before = -1;
	size_t i, done = 0;

	if (!g)
		return lc_fail(err, -ENOENT, "no ALUA group '%.64s' in cluster %s", group, c->name);
	if (!strcmp(lc_state_name(state), "unknown") || state == 15)
		return lc_fail(err, -EINVAL, "%d is not a state to set", state);
	ret = need_node(ctx, c, err);
	if (ret)
		return ret;
	ret = lc_state_lock(ctx, &st, err);
	if (ret)
		return ret;
	ret = lc_state_load(ctx, &st, err);
	if (ret)
		goto out;
	old = lc_xcalloc(c->ndevices, sizeof(char *));
	for (i = 0; i < c->ndevices && !ret; i++) {
		char *f = state_path(ctx, c, i, g);

		ret = lc_read_attr(ctx, f, &old[i]);
		if (ret)
			lc_fail(err, ret, "%s: %s (was the node applied?)", f, strerror(-ret));
		free(f);
	}
	if (ret)
		goto out;
	/* the intent first: a run killed below is finished by apply */
	before = lc_state_wanted(&st, g->name);
	lc_state_set_wanted(&st, g->name, state);
	ret = lc_state_save(ctx, &st, err);
	if (ret)
		goto out;
	snprintf(value, sizeof(value), "%d", state);
	for (i = 0; i < c->ndevices && !ret; i++) {
		char *f = state_path(ctx, c, i, g);

		if (ctx->fail_at && i + 1 == ctx->fail_at)
			ret = -EIO;	/* testing: as if the kernel refused */
		else
			ret = lc_run(ctx, LC_OP_WRITE, f, value);
		if (ret)
			lc_fail(err, ret, "%s: %s%s", f, strerror(-ret),
				ctx->fail_at == i + 1 ? " (injected)" : "");
		else
			done++;
		free(f);
	}
	if (ret) {
		/* all devices or none: put back the ones already changed */
		struct lc_buf stuck = { 0 };
		char msg[LC_ERROR_LEN];

		snprintf(msg, sizeof(msg), "%s", err ? err->msg : "");
		for (i = 0; i < done; i++) {
			char *f = state_path(ctx, c, i, g);

			if (lc_run(ctx, LC_OP_WRITE, f, old[i]))
				lc_buf_printf(&stuck, "%s%s", stuck.n ? ", " : "", f);
			free(f);
		}
		if (before >= 0)
			lc_state_set_wanted(&st, g->name, before);
		else
			lc_state_set_wanted(&st, g->name, g->state);
		lc_state_save(ctx, &st, NULL);
		if (stuck.n) {
			ret = lc_fail(err, -ENOTRECOVERABLE,
				      "%s; putting the state back failed on %s: those devices are left %s",
				      msg, stuck.s, lc_state_name(state));
		} else {
			ret = lc_fail(err, ret, "%s; the %zu devices already changed were put back",
				      msg, done);
		}
		free(stuck.s);
	}
out:
	for (i = 0; old && i < c->ndevices; i++)
		free(old[i]);
	free(old);
	lc_state_unlock(&st);
	lc_state_free(&st);
	return ret;
}

int lc_get_state(struct lc_ctx *ctx, const struct lc_cluster *c, const char *group, int *state,
		 int *wanted, struct lc_error *err)
{
	const struct lc_group *g = lc_find_group(c, group);
	struct lc_state st = { .lock_fd = -1 };
	size_t i;
	int ret;

	*state = -1;
	if (!g)
		return lc_fail(err, -ENOENT, "no ALUA group '%.64s' in cluster %s", group, c->name);
	ret = need_node(ctx, c, err);
	if (ret)
		return ret;
	ret = lc_state_load(ctx, &st, err);
	if (wanted)
		*wanted = ret ? g->state : lc_state_wanted(&st, g->name) >= 0 ?
			  lc_state_wanted(&st, g->name) : g->state;
	lc_state_free(&st);
	for (i = 0; i < c->ndevices && !ret; i++) {
		char *f = state_path(ctx, c, i, g), *v = NULL;
		int s;

		ret = lc_read_attr(ctx, f, &v);
		if (ret) {
			lc_fail(err, ret, "%s: %s (was the node applied?)", f, strerror(-ret));
		} else {
			s = atoi(v);
			*state = i == 0 || *state == s ? s : -1;
			if (*state < 0)
				i = c->ndevices;	/* mixed: that is the answer */
		}
		free(v);
		free(f);
	}
	return ret;
}

/*
 * Explicit ALUA: target core applies a SET TARGET PORT GROUPS on the node
 * that received it, at once, and marks the group "Altered by Explicit STPG"
 * (core_alua_do_transition_tg_pt); a configfs write marks it "Altered by
 * Implicit ALUA".  A group so marked whose state is not the kept one is an
 * initiator's request the cluster has not decided.
 */
int lc_stpg_requests(struct lc_ctx *ctx, const struct lc_cluster *c, struct lc_stpg **out,
		     size_t *n, struct lc_error *err)
{
	struct lc_state st = { .lock_fd = -1 };
	size_t gi, i;
	int ret;

	*out = NULL;
	*n = 0;
	ret = need_node(ctx, c, err);
	if (ret)
		return ret;
	ret = lc_state_load(ctx, &st, err);
	if (ret)
		return ret;
	for (gi = 0; gi < c->ngroups && !ret; gi++) {
		const struct lc_group *g = &c->groups[gi];
		int wanted = lc_state_wanted(&st, g->name) >= 0 ? lc_state_wanted(&st, g->name) : g->state;

		for (i = 0; i < c->ndevices && !ret; i++) {
			char *f = state_path(ctx, c, i, g), *sf, *v = NULL, *s = NULL;

			const char *bad = f;

			sf = lc_xasprintf("%.*s/alua_access_status", (int)(strlen(f) - strlen("/alua_access_state")), f);
			ret = lc_read_attr(ctx, f, &v);
			if (!ret) {
				bad = sf;
				ret = lc_read_attr(ctx, sf, &s);
			}
			if (ret) {
				lc_fail(err, ret, "%s: %s (was the node applied?)", bad, strerror(-ret));
			} else if (!strcmp(s, "Altered by Explicit STPG") && atoi(v) != wanted) {
				*out = lc_xrealloc(*out, *n + 1, sizeof(**out));
				(*out)[*n].group = g->name;
				(*out)[*n].device = c->devices[i].name;
				(*out)[*n].state = atoi(v);
				(*out)[*n].wanted = wanted;
				(*n)++;
				i = c->ndevices;	/* one entry a group: the first device */
			}
			free(v);
			free(s);
			free(sf);
			free(f);
		}
	}
	lc_state_free(&st);
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return ret;
}
