// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: the node's state directory (default /run/liocluster).
 *
 *   lock     flock(2)ed by every writer; holds "pid", "command", "since"
 *   owned    the configfs objects liocluster made, one path a line
 *   states   the ALUA states liocluster keeps (set-state), "group state"
 *   journal  written before a run changes anything: the paths it will
 *            make; a run killed half-way leaves it, and the next run counts
 *            those paths as its own and converges from there
 *
 * It lives on a tmpfs like configfs itself: after a reboot both are empty
 * together, and nothing in configfs is ours until we make it again.  Every
 * file is replaced by rename, so a crash leaves the old or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define LC_DEFAULT_WAIT 60.0

static char *state_file(const struct lc_ctx *ctx, const char *name)
{
	return lc_xasprintf("%s/%s", ctx->state_dir, name);
}

static int ensure_dir(const struct lc_ctx *ctx, struct lc_error *err)
{
	struct stat st;

	if (mkdir(ctx->state_dir, 0700) && errno != EEXIST)
		return lc_fail(err, -errno, "%s: %s", ctx->state_dir, strerror(errno));
	if (stat(ctx->state_dir, &st) || !S_ISDIR(st.st_mode))
		return lc_fail(err, -ENOTDIR, "%s: not a directory", ctx->state_dir);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "pid 123, 'liocluster apply', since 12:00:01 (35 s)" from the lock file */
static void holder(int fd, char *out, size_t len)
{
	char buf[512] = "", cmd[256] = "?";
	long pid = 0;
	long long since = 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n > 0)
		buf[n] = '\0';
	if ((p = strstr(buf, "pid ")))
		pid = strtol(p + 4, NULL, 10);
	if ((p = strstr(buf, "since ")))
		since = strtoll(p + 6, NULL, 10);
	if ((p = strstr(buf, "command "))) {
		char *e = strchr(p, '\n');

		snprintf(cmd, sizeof(cmd), "%.*s", e ? (int)(e - p - 8) : 200, p + 8);
	}
	if (!pid) {
		snprintf(out, len, "another liocluster");
		return;
	}
	{
		time_t t = (time_t)since;
		struct tm tm;
		char when[32] = "?";

		if (localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		snprintf(out, len, "pid %ld ('%s') since %s, %lld s ago", pid, cmd, when,
			 (long long)time(NULL) - since);
	}
}

int lc_state_lock(struct lc_ctx *ctx, struct lc_state *st, struct lc_error *err)
{
	double wait = ctx->lock_wait < 0 ? LC_DEFAULT_WAIT : ctx->lock_wait, start = now();
	char *path, line[512], who[400];
	int fd, ret;

	st->lock_fd = -1;
	ret = ensure_dir(ctx, err);
	if (ret)
		return ret;
	path = state_file(ctx, "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = lc_fail(err, -errno, "%s: %s", path, strerror(errno));
		free(path);
		return ret;
	}
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			ret = lc_fail(err, -errno, "%s: %s", path, strerror(errno));
			close(fd);
			free(path);
			return ret;
		}
		if (now() - start >= wait) {
			holder(fd, who, sizeof(who));
			close(fd);
			ret = lc_fail(err, -EBUSY,
				      "another writer holds this node's lock (%s): %s; waited %.0f s (--wait SECONDS)",
				      path, who, wait);
			free(path);
			return ret;
		}
		usleep(20000);
	}
	free(path);
	snprintf(line, sizeof(line), "pid %ld\ncommand %s\nsince %lld\n", (long)getpid(),
		 ctx->command ? ctx->command : "liocluster", (long long)time(NULL));
	if (ftruncate(fd, 0) || pwrite(fd, line, strlen(line), 0) < 0) {
		/* the lock holds regardless; the holder line is a courtesy */
	}
	st->lock_fd = fd;
	return 0;
}

void lc_state_unlock(struct lc_state *st)
{
	if (st->lock_fd >= 0) {
		if (ftruncate(st->lock_fd, 0)) {
			/* nothing to do: the lock goes with the descriptor */
		}
		close(st->lock_fd);
	}
	st->lock_fd = -1;
}

/* Each line of a state file, without its newline; missing file: none */
static int read_lines(const struct lc_ctx *ctx, const char *name, struct lc_vec *lines,
		      struct lc_error *err)
{
	char *path = state_file(ctx, name), *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f) {
		if (errno != ENOENT)
			ret = lc_fail(err, -errno, "%s: %s", path, strerror(errno));
		free(path);
		return ret;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n)
			lc_vec_push(lines, lc_xstrdup(line));
	}
	free(line);
	fclose(f);
	free(path);
	return 0;
}

int lc_state_load(const struct lc_ctx *ctx, struct lc_state *st, struct lc_error *err)
{
	struct lc_vec lines = { 0 };
	size_t i;
	int ret;

	ret = read_lines(ctx, "owned", &lines, err);
	if (!ret)
		ret = read_lines(ctx, "journal", &lines, err);
	for (i = 0; i < lines.n; i++) {
		char *l = lines.v[i];

		if (!strncmp(l, "target/", 7))
			lc_state_own(st, l);
	}
	lc_vec_free(&lines, free);
	if (!ret)
		ret = read_lines(ctx, "states", &lines, err);
	for (i = 0; i < lines.n; i++) {
		char *l = lines.v[i], *sp = strrchr(l, ' ');

		if (sp) {
			*sp = '\0';
			lc_state_set_wanted(st, l, atoi(sp + 1));
		}
	}
	lc_vec_free(&lines, free);
	return ret;
}

void lc_state_free(struct lc_state *st)
{
	lc_vec_free(&st->owned_paths, free);
	lc_map_free(&st->owned);
	lc_vec_free(&st->state_names, free);
	lc_map_free(&st->states);
}

bool lc_state_owns(const struct lc_state *st, const char *path)
{
	return lc_map_get(&st->owned, path) == (void *)1;
}

void lc_state_own(struct lc_state *st, const char *path)
{
	char *p;

	if (lc_map_get(&st->owned, path)) {
		lc_map_put(&st->owned, path, (void *)1);
		return;
	}
	p = lc_xstrdup(path);
	lc_vec_push(&st->owned_paths, p);
	lc_map_put(&st->owned, p, (void *)1);
}

void lc_state_disown(struct lc_state *st, const char *path)
{
	if (lc_map_get(&st->owned, path))
		lc_map_put(&st->owned, path, (void *)2);	/* 2: not ours any more */
}

int lc_state_wanted(const struct lc_state *st, const char *group)
{
	void *v = lc_map_get(&st->states, group);

	return v ? (int)(long)v - 1 : -1;
}

void lc_state_set_wanted(struct lc_state *st, const char *group, int state)
{
	char *g;

	if (!lc_map_get(&st->states, group)) {
		g = lc_xstrdup(group);
		lc_vec_push(&st->state_names, g);
		group = g;
	}
	lc_map_put(&st->states, group, (void *)(long)(state + 1));
}

/* Write NAME atomically from TEXT */
static int write_file(const struct lc_ctx *ctx, const char *name, const char *text,
		      struct lc_error *err)
{
	char *path = state_file(ctx, name), *tmp = lc_xasprintf("%s.tmp", path);
	size_t n = strlen(text);
	int fd, ret = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) || close(fd) ||
	    rename(tmp, path))
		ret = lc_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (ret && fd >= 0)
		close(fd);
	free(tmp);
	free(path);
	return ret;
}

int lc_state_journal(const struct lc_ctx *ctx, const char *const *paths, size_t n,
		     struct lc_error *err)
{
	struct lc_buf b = { 0 };
	size_t i;
	int ret = ensure_dir(ctx, err);
	char *text;

	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		lc_buf_printf(&b, "%s\n", paths[i]);
	text = lc_buf_take(&b);
	ret = write_file(ctx, "journal", text, err);
	free(text);
	return ret;
}

int lc_state_save(const struct lc_ctx *ctx, struct lc_state *st, struct lc_error *err)
{
	struct lc_buf b = { 0 };
	const char **sorted;
	char *text, *journal;
	size_t i, n = 0;
	int ret = ensure_dir(ctx, err);

	if (ret)
		return ret;
	sorted = lc_xcalloc(st->owned_paths.n, sizeof(char *));
	for (i = 0; i < st->owned_paths.n; i++)
		if (lc_state_owns(st, st->owned_paths.v[i]))
			sorted[n++] = st->owned_paths.v[i];
	qsort(sorted, n, sizeof(char *), lc_cmp_str);
	for (i = 0; i < n; i++)
		lc_buf_printf(&b, "%s\n", sorted[i]);
	free(sorted);
	text = lc_buf_take(&b);
	ret = write_file(ctx, "owned", text, err);
	free(text);
	for (i = 0; !ret && i < st->state_names.n; i++) {
		const char *g = st->state_names.v[i];

		lc_buf_printf(&b, "%s %d\n", g, lc_state_wanted(st, g));
	}
	text = lc_buf_take(&b);
	if (!ret)
		ret = write_file(ctx, "states", text, err);
	free(text);
	journal = state_file(ctx, "journal");
	if (!ret && unlink(journal) && errno != ENOENT)
		ret = lc_fail(err, -errno, "%s: %s", journal, strerror(errno));
	free(journal);
	return ret;
}

void lc_state_drop_journal(const struct lc_ctx *ctx)
{
	char *journal = state_file(ctx, "journal");

	unlink(journal);
	free(journal);
}
