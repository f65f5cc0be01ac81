// SPDX-License-Identifier: GPL-2.0
/* libliocluster: configfs operations on the live file system, and reading. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"

char *lc_path(const struct lc_ctx *ctx, const char *rel)
{
	return lc_xasprintf("%s/%s", ctx->root, rel);
}

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
static int sys_write(void *priv, const char *root, const char *path,
		     const char *value)
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

static int sys_symlink(void *priv, const char *root, const char *target,
		       const char *link)
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

int lc_read_attr(const struct lc_ctx *ctx, const char *rel, char **out)
{
	char *p = lc_path(ctx, rel), buf[4097];
	ssize_t n;
	int fd;

	*out = NULL;
	fd = open(p, O_RDONLY | O_CLOEXEC);
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
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	*out = lc_xstrdup(buf);
	return 0;
}

bool lc_is_dir(const struct lc_ctx *ctx, const char *rel)
{
	char *p = lc_path(ctx, rel);
	struct stat st;
	bool r = !lstat(p, &st) && S_ISDIR(st.st_mode);

	free(p);
	return r;
}

bool lc_exists(const struct lc_ctx *ctx, const char *rel)
{
	char *p = lc_path(ctx, rel);
	struct stat st;
	bool r = !lstat(p, &st);

	free(p);
	return r;
}

char *lc_link_target(const struct lc_ctx *ctx, const char *rel)
{
	char *p = lc_path(ctx, rel), *res, *root;
	char buf[PATH_MAX];
	size_t n;
	struct stat st;

	if (lstat(p, &st) || !S_ISLNK(st.st_mode) || !realpath(p, buf)) {
		free(p);
		return NULL;
	}
	free(p);
	root = realpath(ctx->root, NULL);
	if (!root)
		return NULL;
	n = strlen(root);
	res = NULL;
	if (!strncmp(buf, root, n) && buf[n] == '/')
		res = lc_xstrdup(buf + n + 1);
	free(root);
	return res;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lc_list(const struct lc_ctx *ctx, const char *rel, bool dirs, bool links,
	    char ***names, size_t *count)
{
	char *p = lc_path(ctx, rel);
	DIR *d = opendir(p);
	struct dirent *e;
	size_t cap = 16;

	free(p);
	*names = NULL;
	*count = 0;
	if (!d)
		return -errno;
	*names = lc_xcalloc(cap, sizeof(char *));
	while ((e = readdir(d))) {
		struct stat st;
		char *child;
		bool want;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		child = lc_xasprintf("%s/%s/%s", ctx->root, rel, e->d_name);
		want = !lstat(child, &st) &&
		       ((dirs && S_ISDIR(st.st_mode)) || (links && S_ISLNK(st.st_mode)));
		free(child);
		if (!want)
			continue;
		if (*count == cap) {
			char **n = realloc(*names, 2 * cap * sizeof(char *));

			if (!n) {
				closedir(d);
				lc_free_list(*names, *count);
				*names = NULL;
				*count = 0;
				return -ENOMEM;
			}
			*names = n;
			cap *= 2;
		}
		(*names)[(*count)++] = lc_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(*names, *count, sizeof(char *), cmp_names);
	return 0;
}

void lc_free_list(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int lc_ctx_new(const char *configfs_root, struct lc_ctx **out,
	       struct lc_error *err)
{
	struct lc_ctx *ctx;
	struct stat st;

	*out = NULL;
	if (!configfs_root || !*configfs_root)
		return lc_fail(err, -EINVAL, "no configfs root given");
	if (stat(configfs_root, &st) || !S_ISDIR(st.st_mode))
		return lc_fail(err, -ENOENT, "%s is not a directory (is configfs mounted?)",
			       configfs_root);
	ctx = lc_xcalloc(1, sizeof(*ctx));
	ctx->root = lc_xstrdup(configfs_root);
	ctx->be = lc_sys_backend;
	ctx->rtpi_mode = LC_RTPI_AUTO;
	*out = ctx;
	return 0;
}

void lc_ctx_free(struct lc_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->root);
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

/* Linux 6.4 moved the RTPI to the TPG (docs/rtpi.md) */
enum lc_rtpi_mode lc_ctx_rtpi_mode(const struct lc_ctx *ctx)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (ctx->rtpi_mode != LC_RTPI_AUTO)
		return ctx->rtpi_mode;
	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return LC_RTPI_PER_TPG;
	return (major > 6 || (major == 6 && minor >= 4)) ? LC_RTPI_PER_TPG :
							     LC_RTPI_PER_LUN;
}

void lc_ctx_inject_failure(struct lc_ctx *ctx, unsigned int nth)
{
	ctx->fail_at = nth;
}
