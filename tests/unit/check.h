/* SPDX-License-Identifier: GPL-2.0 */
/* A small test harness: CHECK records a failure and goes on. */
#ifndef UNIT_CHECK_H
#define UNIT_CHECK_H

#include <stdio.h>
#include <string.h>

extern int unit_failed_checks;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			unit_failed_checks++;                              \
			fprintf(stderr, "#   %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
		}                                                          \
	} while (0)

#define CHECK_EQ_INT(a, b) CHECK((a) == (b), "%lld != %lld", (long long)(a), (long long)(b))
#define CHECK_STR_HAS(s, sub) CHECK((s) && strstr((s), (sub)), "'%s' lacks '%s'", (s) ? (s) : "(null)", (sub))

/* fakecfs.c: a temporary directory that behaves like LIO's configfs tree
 * where the library needs it to (default groups, attribute files, the
 * RTPI numbering of both kernel generations). */
struct lc_backend;
struct fakecfs;
struct fakecfs *fakecfs_new(int per_tpg_rtpi);
void fakecfs_free(struct fakecfs *f);
const char *fakecfs_root(const struct fakecfs *f);
const struct lc_backend *fakecfs_backend(struct fakecfs *f);
/* A listing of the whole tree with every file's content, to compare. */
char *fakecfs_snapshot(const struct fakecfs *f);
unsigned long fakecfs_ops(const struct fakecfs *f);

#endif
