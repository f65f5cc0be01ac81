// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: live configfs.  The operations go through a backend (the
 * real file system, or the unit tests' stand-in); reading is the same for
 * both.  The live tree is found by one walk that follows the object grammar
 * of layout.c: it lists only directories that hold user-made objects, takes
 * entry types from getdents (configfs fills d_type), reads each link once,
 * and reads attribute values only when asked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"

static char *join(const char *root, const char *rel)
{
	return lc_xasprintf("%s/%s", root, rel);
}

static int sys_mkdir(void *priv, const char *root, const char *path)
{
	char *p = join(root, path);
	int ret = mkdir(p, 0755) ? -errno : 0;

	(void)priv;
	free(p);
	return ret;
}

static int sys_rmdir(void *priv, const char *root, const char *path)
{
	char *p = join(root, path);
	int ret = rmdir(p) ? -errno : 0;

	(void)priv;
	free(p);
	return ret;
}

/* One write(2) of the whole value: configfs takes an attribute in one go. */
static int sys_write(void *priv, const char *root, const char *path, const char *value)
{
	char *p = join(root, path);
	size_t n = strlen(value);
	ssize_t w;
	int fd, ret = 0;

	(void)priv;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return -errno;
	w = write(fd, value, n);
	if (w < 0)
		ret = -errno;
	else if ((size_t)w != n)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static int sys_symlink(void *priv, const char *root, const char *target, const char *link)
{
	char *t = join(root, target), *l = join(root, link);
	int ret = symlink(t, l) ? -errno : 0;

	(void)priv;
	free(t);
	free(l);
	return ret;
}

static int sys_unlink(void *priv, const char *root, const char *link)
{
	char *l = join(root, link);
	int ret = unlink(l) ? -errno : 0;

	(void)priv;
	free(l);
	return ret;
}

const struct lc_backend lc_sys_backend = {
	.mkdir = sys_mkdir,
	.rmdir = sys_rmdir,
	.write = sys_write,
	.symlink = sys_symlink,
	.unlink = sys_unlink,
};

int lc_run(struct lc_ctx *ctx, enum lc_op_kind kind, const char *path, const char *arg)
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

int lc_read_attr(const struct lc_ctx *ctx, const char *rel, char **out)
{
	char *p = join(ctx->root, rel), buf[4097];
	ssize_t n;
	int fd;

	*out = NULL;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	free(p);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	buf[n] = '\0';
	*out = lc_xstrdup(lc_rstrip(buf));
	return 0;
}

bool lc_is_dir(const struct lc_ctx *ctx, const char *rel)
{
	char *p = join(ctx->root, rel);
	struct stat st;
	bool r = !lstat(p, &st) && S_ISDIR(st.st_mode);

	free(p);
	return r;
}

bool lc_exists(const struct lc_ctx *ctx, const char *rel)
{
	char *p = join(ctx->root, rel);
	struct stat st;
	bool r = !lstat(p, &st);

	free(p);
	return r;
}

/* "a/b/../c/./d" -> "a/c/d"; NULL when it climbs above the start */
static char *normalize(const char *path)
{
	char *copy = lc_xstrdup(path), *save = NULL, *c;
	const char **parts = lc_xcalloc(strlen(path) / 2 + 2, sizeof(char *));
	struct lc_buf out = { 0 };
	size_t n = 0, i;

	for (c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			if (!n) {
				free(parts);
				free(copy);
				return NULL;
			}
			n--;
			continue;
		}
		parts[n++] = c;
	}
	for (i = 0; i < n; i++) {
		if (i)
			lc_buf_add(&out, "/", 1);
		lc_buf_add(&out, parts[i], strlen(parts[i]));
	}
	free(parts);
	free(copy);
	return lc_buf_take(&out);
}

/* A link's text as a configfs-relative path: configfs writes targets
 * relative to the link ("../../../../../core/..."), a plain directory
 * keeps what symlink(2) was given (absolute, under the root). */
static char *resolve_link(const struct lc_ctx *ctx, const char *rel, const char *text)
{
	const char *roots[] = { ctx->root_real, ctx->root };
	char *dir, *full, *res;
	size_t i, n;

	if (text[0] == '/') {
		for (i = 0; i < 2; i++) {
			n = strlen(roots[i]);
			if (!strncmp(text, roots[i], n) && text[n] == '/')
				return normalize(text + n + 1);
		}
		return NULL;
	}
	dir = lc_xstrdup(rel);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	full = lc_xasprintf("%s/%s", dir, text);
	res = normalize(full);
	free(full);
	free(dir);
	return res;
}

char *lc_link_target(const struct lc_ctx *ctx, const char *rel)
{
	char *p = join(ctx->root, rel), buf[PATH_MAX];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	free(p);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return resolve_link(ctx, rel, buf);
}

static int cmp_dirent(const void *a, const void *b)
{
	return strcmp(((const struct lc_dirent *)a)->name, ((const struct lc_dirent *)b)->name);
}

int lc_list(const struct lc_ctx *ctx, const char *rel, struct lc_dirent **out, size_t *count)
{
	char *p = *rel ? join(ctx->root, rel) : lc_xstrdup(ctx->root);
	DIR *d = opendir(p);
	struct dirent *e;
	size_t cap = 16;

	free(p);
	*out = NULL;
	*count = 0;
	if (!d)
		return -errno;
	*out = lc_xcalloc(cap, sizeof(**out));
	while ((e = readdir(d))) {
		char type;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		type = e->d_type == DT_DIR ? 'd' : e->d_type == DT_LNK ? 'l' :
		       e->d_type == DT_REG ? 'f' : '?';
		if (type == '?') {
			struct stat st;

			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			type = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f';
		}
		if (*count == cap) {
			cap *= 2;
			*out = lc_xrealloc(*out, cap, sizeof(**out));
		}
		(*out)[*count].name = lc_xstrdup(e->d_name);
		(*out)[(*count)++].type = type;
	}
	closedir(d);
	qsort(*out, *count, sizeof(**out), cmp_dirent);
	return 0;
}

void lc_list_free(struct lc_dirent *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

/* --- the live tree ---------------------------------------------------------------- */

static void add_obj(struct lc_live *live, const char *path, enum lc_kind kind, char *target)
{
	struct lc_live_obj *o = lc_arena_alloc(&live->mem, sizeof(*o));

	const struct lc_live_obj *t = target ? lc_map_get(&live->by_path, target) : NULL;

	const char *const *same = live->intern ? lc_map_get(live->intern, path) : NULL;

	/* the desired tree's string for the same path, else a copy */
	o->path = same ? *same : lc_arena_str(&live->mem, path);
	o->kind = kind;
	/* a target walked before (devices, then LUNs, then ACLs): shared */
	if (t) {
		free(target);
		o->target = t->path;
	} else {
		o->target = target ? lc_arena_take(&live->mem, target) : NULL;
	}
	lc_vec_push(&live->objs, o);
	lc_map_put(&live->by_path, o->path, o);
}

/* Walk the objects below OBJ (of KIND) */
static void walk(struct lc_live *live, const char *obj, enum lc_kind kind)
{
	const char *const *g;

	/* a mapped LUN holds one link: where the desired tree has it, one
	 * readlink finds it (the commonest object of a big tree, listed
	 * only when it is not there) */
	if (kind == LC_K_MAPPED && live->intern) {
		char *link = lc_xasprintf("%s/lun", obj);
		char *target = lc_map_get(live->intern, link) ? lc_link_target(live->ctx, link) : NULL;

		if (target) {
			add_obj(live, link, LC_K_MAPPED_LINK, target);
			free(link);
			return;
		}
		free(link);
	}
	for (g = lc_child_groups(kind); *g; g++) {
		char *dir = **g ? lc_xasprintf("%s/%s", obj, *g) : lc_xstrdup(obj);
		struct lc_dirent *e;
		size_t n, i;

		if (lc_list(live->ctx, dir, &e, &n)) {
			free(dir);
			continue;
		}
		for (i = 0; i < n; i++) {
			char *child = lc_xasprintf("%s/%s", dir, e[i].name);
			enum lc_kind k = lc_path_kind(child);

			if (k == LC_K_LUN_LINK || k == LC_K_MAPPED_LINK) {
				if (e[i].type == 'l')
					add_obj(live, child, k, lc_link_target(live->ctx, child));
			} else if (k != LC_K_NONE && e[i].type == 'd') {
				add_obj(live, child, k, NULL);
				walk(live, child, k);
			}
			free(child);
		}
		lc_list_free(e, n);
		free(dir);
	}
}

int lc_live_scan(const struct lc_ctx *ctx, struct lc_live *live, const struct lc_map *intern,
		 struct lc_error *err)
{
	struct lc_dirent *e;
	size_t n, i;
	int ret;

	memset(live, 0, sizeof(*live));
	live->ctx = ctx;
	live->intern = intern;
	ret = lc_list(ctx, "target", &e, &n);
	if (ret == -ENOENT)
		return 0;	/* target core is not loaded: nothing lives here */
	if (ret)
		return lc_fail(err, ret, "%s/target: %s", ctx->root, strerror(-ret));
	for (i = 0; i < n; i++) {
		char *p;

		if (e[i].type != 'd')
			continue;
		p = lc_xasprintf("target/%s", e[i].name);
		if (!strcmp(e[i].name, "core")) {
			struct lc_dirent *h;
			size_t nh, j;

			if (!lc_list(ctx, p, &h, &nh)) {
				for (j = 0; j < nh; j++) {
					char *hp = lc_xasprintf("%s/%s", p, h[j].name);

					if (h[j].type == 'd' && lc_path_kind(hp) == LC_K_HBA) {
						add_obj(live, hp, LC_K_HBA, NULL);
						walk(live, hp, LC_K_HBA);
					}
					free(hp);
				}
				lc_list_free(h, nh);
			}
		} else {
			add_obj(live, p, LC_K_FABRIC, NULL);
			walk(live, p, LC_K_FABRIC);
		}
		free(p);
	}
	lc_list_free(e, n);
	return 0;
}

void lc_live_free(struct lc_live *live)
{
	lc_vec_free(&live->objs, NULL);
	lc_map_free(&live->by_path);
	lc_map_free(&live->values);
	lc_arena_free(&live->mem);
}

const struct lc_live_obj *lc_live_get(const struct lc_live *live, const char *path)
{
	return lc_map_get(&live->by_path, path);
}

/* Values are cached; an unreadable one is cached as the live struct itself */
const char *lc_live_value(struct lc_live *live, const char *path)
{
	void *v = lc_map_get(&live->values, path);
	char *s;

	if (v)
		return v == (void *)live ? NULL : v;
	if (lc_read_attr(live->ctx, path, &s))
		s = NULL;
	v = s ? lc_arena_take(&live->mem, s) : NULL;
	lc_map_put(&live->values, lc_arena_str(&live->mem, path), v ? v : (void *)live);
	return v;
}

struct capture {
	char *path;
	char *value;
	int prio;
};

static int cmp_capture(const void *a, const void *b)
{
	const struct capture *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio - y->prio;
	return strcmp(x->path, y->path);
}

void lc_live_capture(struct lc_live *live, const char *obj, enum lc_kind kind, bool link_attrs,
		     struct lc_kvs *out)
{
	struct capture *cap = NULL;
	size_t ncap = 0, i;
	const char *const *g;

	memset(out, 0, sizeof(*out));
	if (kind == LC_K_DEVICE) {
		/* control is write-only: what it said shows in info */
		char *info = lc_xasprintf("%s/info", obj);
		const char *text = lc_live_value(live, info);
		const char *hba = strrchr(obj, '/');
		char *plugin = NULL, *control = NULL;

		if (hba) {
			char *h = lc_xstrndup(obj, (size_t)(hba - obj));
			const char *base = strrchr(h, '/') ? strrchr(h, '/') + 1 : h;
			const char *us = strrchr(base, '_');

			plugin = lc_xstrndup(base, us ? (size_t)(us - base) : strlen(base));
			free(h);
		}
		if (text && plugin)
			control = lc_control_from_info(plugin, text);
		if (control) {
			cap = lc_xrealloc(cap, ncap + 1, sizeof(*cap));
			cap[ncap].path = lc_xasprintf("%s/control", obj);
			cap[ncap].value = control;
			cap[ncap++].prio = 0;
		}
		free(plugin);
		free(info);
	}
	for (g = lc_attr_groups(kind); *g; g++) {
		char *dir = **g ? lc_xasprintf("%s/%s", obj, *g) : lc_xstrdup(obj);
		char *full = join(live->ctx->root, dir);
		int dfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct lc_dirent *e;
		size_t n, j;

		free(full);
		if (dfd < 0 || lc_list(live->ctx, dir, &e, &n)) {
			if (dfd >= 0)
				close(dfd);
			free(dir);
			continue;
		}
		for (j = 0; j < n; j++) {
			struct stat st;
			char *path, *raw = NULL;

			if (e[j].type != 'f' || fstatat(dfd, e[j].name, &st, 0) ||
			    !(st.st_mode & S_IWUSR) || !(st.st_mode & S_IRUSR))
				continue;
			/* what a LUN's or mapped LUN's link carries goes with the
			 * link (ENODEV once it is gone) */
			if (!link_attrs && (kind == LC_K_LUN || kind == LC_K_MAPPED) &&
			    (!strncmp(e[j].name, "alua_tg_pt_", 11) || !strcmp(e[j].name, "write_protect")))
				continue;
			path = lc_xasprintf("%s/%s", dir, e[j].name);
			if (lc_read_attr(live->ctx, path, &raw)) {
				free(path);
				continue;
			}
			cap = lc_xrealloc(cap, ncap + 1, sizeof(*cap));
			cap[ncap].path = path;
			cap[ncap].value = lc_value_writable(lc_attr_cmp(e[j].name), raw);
			cap[ncap++].prio = lc_attr_priority(kind, e[j].name);
			free(raw);
		}
		lc_list_free(e, n);
		close(dfd);
		free(dir);
	}
	if (ncap)
		qsort(cap, ncap, sizeof(*cap), cmp_capture);
	out->v = lc_xcalloc(ncap, sizeof(*out->v));
	for (i = 0; i < ncap; i++) {
		out->v[i].key = cap[i].path;
		out->v[i].value = cap[i].value;
	}
	out->n = ncap;
	free(cap);
}

/* --- the context ------------------------------------------------------------------- */

int lc_ctx_new(const char *configfs_root, struct lc_ctx **out, struct lc_error *err)
{
	struct lc_ctx *ctx;
	struct stat st;
	char *real;

	*out = NULL;
	if (!configfs_root || !*configfs_root)
		return lc_fail(err, -EINVAL, "no configfs root given");
	if (stat(configfs_root, &st) || !S_ISDIR(st.st_mode))
		return lc_fail(err, -ENOENT, "%s is not a directory (is configfs mounted?)",
			       configfs_root);
	ctx = lc_xcalloc(1, sizeof(*ctx));
	ctx->root = lc_xstrdup(configfs_root);
	real = realpath(configfs_root, NULL);
	ctx->root_real = real ? real : lc_xstrdup(configfs_root);
	ctx->state_dir = lc_xstrdup("/run/liocluster");
	ctx->be = lc_sys_backend;
	ctx->rtpi_mode = LC_RTPI_AUTO;
	ctx->lock_wait = -1;
	lc_backend_hook(ctx);
	*out = ctx;
	return 0;
}

/* A test build replaces this (tests/standin) to put a stand-in under the CLI */
__attribute__((weak)) void lc_backend_hook(struct lc_ctx *ctx)
{
	(void)ctx;
}

void lc_ctx_free(struct lc_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->root);
	free(ctx->root_real);
	free(ctx->state_dir);
	free(ctx->node);
	free(ctx->wants);
	free(ctx);
}

void lc_ctx_set_backend(struct lc_ctx *ctx, const struct lc_backend *be)
{
	ctx->be = *be;
}

void lc_ctx_set_rtpi_mode(struct lc_ctx *ctx, enum lc_rtpi_mode mode)
{
	ctx->rtpi_mode = mode;
}

void lc_ctx_set_state_dir(struct lc_ctx *ctx, const char *dir)
{
	free(ctx->state_dir);
	ctx->state_dir = lc_xstrdup(dir);
}

void lc_ctx_set_lock_wait(struct lc_ctx *ctx, double seconds)
{
	ctx->lock_wait = seconds;
}

void lc_ctx_set_command(struct lc_ctx *ctx, const char *command)
{
	ctx->command = command;
}

void lc_ctx_set_node(struct lc_ctx *ctx, const char *node)
{
	free(ctx->node);
	ctx->node = node ? lc_xstrdup(node) : NULL;
}

void lc_ctx_set_adopt(struct lc_ctx *ctx, bool adopt)
{
	ctx->adopt = adopt;
}

void lc_ctx_inject_failure(struct lc_ctx *ctx, unsigned int nth)
{
	ctx->fail_at = nth;
}

/*
 * How this kernel numbers ports, probed, not guessed from its version:
 * tcm_remote offers target/remote/local_rtpi exactly where target core has
 * no per-TPG RTPI (docs/rtpi.md); any TPG of another fabric shows target
 * core's tpgt_N/rtpi where it has.  Before tcm_remote's fabric directory
 * exists and without any TPG to look at, the release target core reports
 * in target/version decides (6.4); apply makes the fabric directory first.
 */
enum lc_rtpi_mode lc_ctx_rtpi_mode(const struct lc_ctx *ctx)
{
	struct lc_dirent *f, *w, *t;
	size_t nf, nw, nt, i, j, k;
	enum lc_rtpi_mode mode = LC_RTPI_AUTO;
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (ctx->rtpi_mode != LC_RTPI_AUTO)
		return ctx->rtpi_mode;
	if (lc_exists(ctx, "target/remote/local_rtpi"))
		return LC_RTPI_PER_LUN;
	if (lc_is_dir(ctx, "target/remote") && lc_exists(ctx, "target/remote/version"))
		return LC_RTPI_PER_TPG;
	if (!lc_list(ctx, "target", &f, &nf)) {
		for (i = 0; i < nf && mode == LC_RTPI_AUTO; i++) {
			char *fp = lc_xasprintf("target/%s", f[i].name);

			if (f[i].type == 'd' && strcmp(f[i].name, "core") && !lc_list(ctx, fp, &w, &nw)) {
				for (j = 0; j < nw && mode == LC_RTPI_AUTO; j++) {
					char *wp = lc_xasprintf("%s/%s", fp, w[j].name);

					if (w[j].type == 'd' && !lc_list(ctx, wp, &t, &nt)) {
						for (k = 0; k < nt && mode == LC_RTPI_AUTO; k++) {
							char *r = lc_xasprintf("%s/%s/rtpi", wp, t[k].name);

							if (!strncmp(t[k].name, "tpgt_", 5))
								mode = lc_exists(ctx, r) ? LC_RTPI_PER_TPG :
											    LC_RTPI_PER_LUN;
							free(r);
						}
						lc_list_free(t, nt);
					}
					free(wp);
				}
				lc_list_free(w, nw);
			}
			free(fp);
		}
		lc_list_free(f, nf);
	}
	if (mode != LC_RTPI_AUTO)
		return mode;
	{
		/* target core's version names the release it runs on */
		char *v = NULL, *on;

		if (!lc_read_attr(ctx, "target/version", &v) && (on = strrchr(v, ' ')) &&
		    sscanf(on + 1, "%u.%u", &major, &minor) == 2) {
			free(v);
			return (major > 6 || (major == 6 && minor >= 4)) ? LC_RTPI_PER_TPG :
									   LC_RTPI_PER_LUN;
		}
		free(v);
	}
	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return LC_RTPI_PER_TPG;
	return (major > 6 || (major == 6 && minor >= 4)) ? LC_RTPI_PER_TPG : LC_RTPI_PER_LUN;
}
