// SPDX-License-Identifier: GPL-2.0
/* libliocluster: errors, allocation, vectors, string maps, numbers. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int lc_fail(struct lc_error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Out of memory is not recoverable for a configuration tool: say so and stop. */
static void *lc_oom(void *p)
{
	if (!p) {
		fputs("liocluster: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *lc_xcalloc(size_t n, size_t size)
{
	return lc_oom(calloc(n ? n : 1, size ? size : 1));
}

void *lc_xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		lc_oom(NULL);
	return lc_oom(realloc(p, n && size ? n * size : 1));
}

char *lc_xstrdup(const char *s)
{
	return lc_oom(strdup(s));
}

char *lc_xstrndup(const char *s, size_t n)
{
	return lc_oom(strndup(s, n));
}

char *lc_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		s = NULL;
	return lc_oom(s);
}

void lc_vec_push(struct lc_vec *v, const void *p)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->v = lc_xrealloc(v->v, v->cap, sizeof(*v->v));
	}
	v->v[v->n++] = (void *)p;
}

void lc_vec_free(struct lc_vec *v, void (*fn)(void *))
{
	size_t i;

	for (i = 0; fn && i < v->n; i++)
		fn(v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/* FNV-1a */
static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t slot(const struct lc_map *m, const char *key)
{
	size_t i = hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *lc_map_get(const struct lc_map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = slot(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

void *lc_map_put(struct lc_map *m, const char *key, void *val)
{
	size_t i;
	void *old;

	if (2 * (m->n + 1) > m->cap) {
		struct lc_map bigger = { 0 };

		bigger.cap = m->cap ? 2 * m->cap : 64;
		bigger.keys = lc_xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.vals = lc_xcalloc(bigger.cap, sizeof(*bigger.vals));
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i]) {
				size_t j = slot(&bigger, m->keys[i]);

				bigger.keys[j] = m->keys[i];
				bigger.vals[j] = m->vals[i];
				bigger.n++;
			}
		}
		free(m->keys);
		free(m->vals);
		*m = bigger;
	}
	i = slot(m, key);
	old = m->keys[i] ? m->vals[i] : NULL;
	if (!m->keys[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
	return old;
}

void lc_map_free(struct lc_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void lc_buf_add(struct lc_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = lc_xrealloc(b->s, b->cap, 1);
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

void lc_buf_printf(struct lc_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	lc_oom(n < 0 ? NULL : s);
	lc_buf_add(b, s, (size_t)n);
	free(s);
}

char *lc_buf_take(struct lc_buf *b)
{
	char *s = b->s ? b->s : lc_xstrdup("");

	memset(b, 0, sizeof(*b));
	return s;
}

int lc_parse_uint(const char *s, unsigned long long min, unsigned long long max,
		  bool hex, unsigned long long *out)
{
	unsigned long long v = 0;
	int base = 10;
	const char *p = s;

	if (hex && (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))) {
		base = 16;
		p += 2;
	} else if (s[0] == '0' && s[1]) {
		return -EINVAL;		/* 010: octal to C, decimal to people */
	}
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = (unsigned int)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned int)(tolower((unsigned char)*p) - 'a' + 10);
		else
			return -EINVAL;
		if (d > max || v > (max - d) / (unsigned int)base)
			return -ERANGE;
		v = v * (unsigned int)base + d;
	}
	if (v < min)
		return -ERANGE;
	*out = v;
	return 0;
}

char *lc_rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int lc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --- an arena: many small strings and structs freed at once ---------------------- */

#define LC_ARENA_BLOCK (256 * 1024)

void *lc_arena_alloc(struct lc_arena *a, size_t n)
{
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (n > a->left) {
		size_t size = n > LC_ARENA_BLOCK / 4 ? n : LC_ARENA_BLOCK;
		char *block = lc_xcalloc(1, size);

		lc_vec_push(&a->blocks, block);
		if (n > LC_ARENA_BLOCK / 4)
			return block;	/* a big one gets a block of its own */
		a->cur = block;
		a->left = size;
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

char *lc_arena_strn(struct lc_arena *a, const char *s, size_t n)
{
	char *p = lc_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lc_arena_str(struct lc_arena *a, const char *s)
{
	return s ? lc_arena_strn(a, s, strlen(s)) : NULL;
}

/* S (malloc'd) moved into the arena */
char *lc_arena_take(struct lc_arena *a, char *s)
{
	char *p = lc_arena_str(a, s);

	free(s);
	return p;
}

void lc_arena_free(struct lc_arena *a)
{
	lc_vec_free(&a->blocks, free);
	a->cur = NULL;
	a->left = 0;
}
