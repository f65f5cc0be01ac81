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
#define CHECK_STR_EQ(s, want) CHECK((s) && !strcmp((s), (want)), "'%s' != '%s'", (s) ? (s) : "(null)", (want))
#define CHECK_STR_HAS(s, sub) CHECK((s) && strstr((s), (sub)), "'%s' lacks '%s'", (s) ? (s) : "(null)", (sub))

#endif
