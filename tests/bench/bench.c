// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: how liocluster scales, on the host (a stand-in configfs on a
 * directory, no kernel).  A cluster of 4 nodes x 2 iSCSI ports x N LUNs x
 * 32 ACLs for N = 64, 128, 256, 512; for each: the configfs operations of a
 * full apply, the plan from nothing, the plan that finds nothing to do,
 * verify, each one's peak RSS, and the floor: a minimal walk that does the
 * same reads (every directory listed, every link read, every attribute
 * file the plan looks at read) and nothing else.  Figures, not a test: the
 * ratios to the floor measured in the same run are what to compare.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "standin.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *description(unsigned int luns)
{
	struct lc_buf b = { 0 };
	unsigned int i, n;

	lc_buf_printf(&b, "cluster: bench\nnodes: [{name: n1}, {name: n2}, {name: n3}, {name: n4}]\ndevices:\n");
	for (i = 0; i < luns; i++)
		lc_buf_printf(&b, "  - {name: lu%u, backstore: rd_mcp, size: 1M, serial: bench-%u}\n", i, i);
	lc_buf_printf(&b, "alua_groups:\n");
	for (n = 1; n <= 4; n++)
		lc_buf_printf(&b, "  - {name: g%u, id: %u, state: %s}\n", n, n, n == 1 ? "ao" : "standby");
	lc_buf_printf(&b, "ports:\n");
	for (n = 1; n <= 4; n++)
		for (i = 1; i <= 2; i++)
			lc_buf_printf(&b, "  - {node: n%u, fabric: iscsi, wwn: \"iqn.2026-12.com.example:n%u\", tpg: %u, group: g%u, portals: [\"192.0.2.%u:326%u\"]}\n",
				      n, n, i, n, n, i);
	lc_buf_printf(&b, "luns:\n");
	for (i = 0; i < luns; i++)
		lc_buf_printf(&b, "  - {lun: %u, device: lu%u}\n", i, i);
	lc_buf_printf(&b, "acls:\n");
	for (i = 1; i <= 32; i++)
		lc_buf_printf(&b, "  - {initiator: \"iqn.2026-12.com.example:client-%u\"}\n", i);
	return lc_buf_take(&b);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static struct lc_ctx *context(const char *root, const char *state)
{
	struct lc_ctx *ctx;
	struct lc_error err;

	if (lc_ctx_new(root, &ctx, &err)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(2);
	}
	lc_ctx_set_backend(ctx, standin_backend());
	lc_ctx_set_state_dir(ctx, state);
	return ctx;
}

/* The floor: list the same directories, read the same links and files */
static size_t floor_reads;

static void floor_walk(const char *root, const char *rel, struct lc_vec *files)
{
	char *p = lc_xasprintf("%s/%s", root, rel), buf[4096];
	DIR *d = opendir(p);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *child;
		enum lc_kind k;

		if (e->d_name[0] == '.')
			continue;
		child = lc_xasprintf("%s/%s", rel, e->d_name);
		k = lc_path_kind(child);
		if (e->d_type == DT_LNK) {
			char *full = lc_xasprintf("%s/%s", root, child);

			if (readlink(full, buf, sizeof(buf)) > 0)
				floor_reads++;
			free(full);
		} else if (e->d_type == DT_DIR && (k != LC_K_NONE || !strcmp(rel, "target") ||
						   !strcmp(e->d_name, "lun") || !strcmp(e->d_name, "acls") ||
						   !strcmp(e->d_name, "np") || !strcmp(e->d_name, "alua"))) {
			if (strcmp(e->d_name, "default_tg_pt_gp"))
				floor_walk(root, child, files);
		}
		free(child);
	}
	if (d)
		closedir(d);
	free(p);
	(void)files;
}

static double floor_time(const char *root, struct lc_vec *files)
{
	double t0 = now();
	size_t i;
	char buf[4096];

	floor_walk(root, "target", files);
	for (i = 0; i < files->n; i++) {
		char *p = lc_xasprintf("%s/%s", root, (char *)files->v[i]);
		int fd = open(p, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (read(fd, buf, sizeof(buf)) >= 0)
				floor_reads++;
			close(fd);
		}
		free(p);
	}
	return now() - t0;
}

/* Run FN in a child: its time and its peak RSS (MiB) */
struct result {
	double secs;
	double rss;
	long n;
};

static struct result in_child(int (*fn)(void *), void *arg)
{
	int fds[2];
	struct result r = { -1, -1, -1 };
	pid_t pid;

	if (pipe(fds))
		exit(2);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rusage ru;
		double t0 = now();

		close(fds[0]);
		r.n = fn(arg);
		r.secs = now() - t0;
		getrusage(RUSAGE_SELF, &ru);
		r.rss = (double)ru.ru_maxrss / 1024.0;
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &r, sizeof(r)) != sizeof(r))
		r.secs = -1;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return r;
}

/* The best of REPEATS runs (the least time: what the machine can do when
 * nothing else runs), the highest RSS; the floor is taken the same way */
#define REPEATS 3

static struct result best_of(int (*fn)(void *), void *arg)
{
	struct result best = in_child(fn, arg), r;
	int i;

	for (i = 1; i < REPEATS; i++) {
		r = in_child(fn, arg);
		if (r.secs >= 0 && r.secs < best.secs)
			best.secs = r.secs;
		if (r.rss > best.rss)
			best.rss = r.rss;
		if (r.n != best.n)
			best.n = r.n > best.n ? r.n : best.n;
	}
	return best;
}

struct job {
	const char *root, *state;
	struct lc_cluster *c;
};

static int job_plan(void *arg)
{
	struct job *j = arg;
	struct lc_ctx *ctx = context(j->root, j->state);
	struct lc_plan *p = NULL;
	struct lc_error err;
	long n;

	if (lc_plan_node(ctx, j->c, "n1", &p, &err)) {
		fprintf(stderr, "bench: plan: %s\n", err.msg);
		return -1;
	}
	n = (long)lc_plan_count(p);
	lc_plan_free(p);
	lc_ctx_free(ctx);
	return (int)n;
}

static int job_verify(void *arg)
{
	struct job *j = arg;
	struct lc_ctx *ctx = context(j->root, j->state);
	struct lc_report *r = NULL;
	struct lc_error err;
	long n;

	if (lc_verify(ctx, j->c, "n1", &r, &err)) {
		fprintf(stderr, "bench: verify: %s\n", err.msg);
		return -1;
	}
	n = (long)lc_report_count(r);
	lc_report_free(r);
	lc_ctx_free(ctx);
	return (int)n;
}

static int job_apply(void *arg)
{
	struct job *j = arg;
	struct lc_ctx *ctx = context(j->root, j->state);
	struct lc_plan *p = NULL;
	struct lc_error err;
	long n;

	if (lc_apply(ctx, j->c, "n1", &p, &err)) {
		fprintf(stderr, "bench: apply: %s\n", err.msg);
		return -1;
	}
	n = (long)lc_plan_count(p);
	lc_plan_free(p);
	lc_ctx_free(ctx);
	return (int)n;
}

/* How long a description takes to be answered: the largest the limits
 * accept, and hostile ones (goal: every one within 0.2 s) */
static void descriptions(void)
{
	static const struct {
		const char *what;
		size_t reps;
		const char *open, *close, *head;
	} hostile[] = {
		{ "80,000-deep lists", 80000, "[", "]", "cluster: x\nnodes: " },
		{ "80,000-deep mappings", 80000, "{a: ", "}", "cluster: x\nnodes: " },
		{ "a million list items", 1000000, "1,", "", "cluster: x\nluns: [" },
		{ "10,000 nested aliases", 10000, "&a [*a,*a]", ",", "cluster: x\nnodes: [" },
		{ "4 MiB of one scalar", 4 << 20, "x", "", "cluster: " },
	};
	struct lc_buf b = { 0 };
	struct lc_cluster *c = NULL;
	struct lc_error err;
	double t0, worst = 0;
	size_t i, j;
	int ret;

	lc_buf_printf(&b, "cluster: big\nnodes: [{name: a}, {name: b}]\ndevices:\n");
	for (j = 0; j < LC_MAX_ITEMS; j++)
		lc_buf_printf(&b, "  - {name: d%zu, backstore: rd_mcp, size: 4K, serial: s%zu}\n", j, j);
	lc_buf_printf(&b, "alua_groups: [{name: g, id: 1, state: ao}]\nports:\n");
	for (j = 0; j < 1000; j++)
		lc_buf_printf(&b, "  - {node: %s, fabric: iscsi, wwn: \"iqn.2026-11.com.example:p%zu\", tpg: 1, group: g}\n",
			      j % 2 ? "a" : "b", j);
	lc_buf_printf(&b, "luns:\n");
	for (j = 0; j < LC_MAX_ITEMS; j++)
		lc_buf_printf(&b, "  - {lun: %zu, device: d%zu}\n", j, j);
	t0 = now();
	ret = lc_cluster_parse(b.s, b.n, &c, &err);
	printf("descriptions: the largest accepted (%zu KiB, %d devices and LUNs, 1000 ports): %s in %.3f s\n",
	       b.n >> 10, LC_MAX_ITEMS, ret ? "REFUSED" : "accepted", now() - t0);
	lc_cluster_free(c);
	free(b.s);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		double t;

		memset(&b, 0, sizeof(b));
		lc_buf_add(&b, hostile[i].head, strlen(hostile[i].head));
		for (j = 0; j < hostile[i].reps; j++)
			lc_buf_add(&b, hostile[i].open, strlen(hostile[i].open));
		for (j = 0; j < hostile[i].reps && *hostile[i].close; j++)
			lc_buf_add(&b, hostile[i].close, strlen(hostile[i].close));
		c = NULL;
		t0 = now();
		ret = lc_cluster_parse(b.s, b.n, &c, &err);
		t = now() - t0;
		worst = t > worst ? t : worst;
		printf("descriptions: %-24s %s in %.3f s\n", hostile[i].what, ret ? "refused" : "ACCEPTED", t);
		lc_cluster_free(c);
		free(b.s);
	}
	printf("descriptions: goal: every one answered within 0.2 s\n\n");
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 64, 128, 256, 512 };
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	size_t s, nsizes = sizeof(sizes) / sizeof(sizes[0]);

	if (argc > 1)
		nsizes = (size_t)atoi(argv[1]);
	descriptions();
	printf("liocluster bench: 4 nodes x 2 ports x N LUNs x 32 ACLs, node n1, on a stand-in configfs (%s)\n",
	       base);
	printf("%5s %8s | %11s %9s | %11s %9s %6s | %11s %6s | %9s | %7s %7s %7s\n", "LUNs", "ops",
	       "plan empty", "us/op", "no-op plan", "floor", "ratio", "verify", "ratio", "apply*",
	       "RSS MiB", "(plan)", "(verify)");
	for (s = 0; s < nsizes && s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		char dir[64], root[96], state[96];
		char *text = description(sizes[s]);
		struct lc_cluster *c = NULL;
		struct lc_error err;
		struct lc_desired d;
		struct lc_vec files = { 0 };
		struct job j;
		struct result empty, applied, noop, ver;
		double fl;
		size_t i;

		snprintf(dir, sizeof(dir), "%s/lcbench-XXXXXX", base);
		if (!mkdtemp(dir))
			return 2;
		snprintf(root, sizeof(root), "%s/cfs", dir);
		snprintf(state, sizeof(state), "%s/state", dir);
		standin_init(root, STANDIN_PER_TPG);
		if (lc_cluster_parse(text, strlen(text), &c, &err)) {
			fprintf(stderr, "bench: %s\n", err.msg);
			return 2;
		}
		j = (struct job){ root, state, c };
		empty = in_child(job_plan, &j);
		applied = in_child(job_apply, &j);
		noop = best_of(job_plan, &j);
		ver = best_of(job_verify, &j);
		/* the files the plan reads: every attribute of the desired tree */
		lc_desired_build(c, "n1", LC_RTPI_PER_TPG, NULL, &d, &err);
		for (i = 0; i < d.objs.n; i++) {
			const struct lc_obj *o = d.objs.v[i];

			if (o->kind == LC_OBJ_ATTR)
				lc_vec_push(&files, lc_xstrdup(o->cmp == LC_CMP_CONTROL ?
							       "target/core/x/info" : o->path));
		}
		lc_desired_free(&d);
		fl = floor_time(root, &files);
		for (i = 1; i < REPEATS; i++) {
			double t = floor_time(root, &files);

			fl = t < fl ? t : fl;
		}
		printf("%5u %8ld | %9.3f s %9.2f | %9.3f s %7.3f s %6.2f | %9.3f s %6.2f | %7.1f s | %7.1f %7.1f %7.1f\n",
		       sizes[s], empty.n, empty.secs, empty.secs * 1e6 / (double)empty.n, noop.secs, fl,
		       noop.secs / fl, ver.secs, ver.secs / fl, applied.secs, empty.rss, noop.rss, ver.rss);
		if (noop.n != 0 || ver.n != 0)
			printf("      (!) after the apply the plan has %ld operations and verify %ld differences\n",
			       noop.n, ver.n);
		lc_vec_free(&files, free);
		lc_cluster_free(c);
		free(text);
		standin_destroy(root);
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	printf("goals at 512 LUNs: plan from nothing <= 2 s, no-op plan and verify <= 2x the floor, RSS <= 150 MiB\n");
	printf("no-op plan, verify and the floor: the best of %d runs each\n", REPEATS);
	printf("* apply: the stand-in's own operations dominate; in a guest, scenario 06 compares apply with cfsop\n");
	return 0;
}
