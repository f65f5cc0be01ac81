// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: the cluster description, read from YAML and checked as a
 * whole before anything is planned.
 *
 * The schema is strict: an unknown key is an error, so a typo never passes
 * silently for a default.  Hostile input is answered fast: the file is
 * refused above 4 MiB, and a first pass over libyaml's events refuses
 * nesting deeper than the schema needs, aliases, more than one document
 * and too many nodes before the document is built.  Every look-up is by
 * hash, so checking is linear.  docs/cluster-description.md describes it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "internal.h"

#define LC_MAX_FILE	(4 << 20)	/* a description is small; refuse huge input */
#define LC_MAX_DEPTH	8		/* the schema nests 5 deep */
#define LC_MAX_NODES_YAML (1 << 18)

struct parse {
	yaml_document_t doc;
	struct lc_error *err;
	struct lc_map secrets;		/* name -> secret, from the secrets file */
	bool have_secrets;
	bool unresolved;		/* CHAP secrets are names only (merge) */
	char *secrets_path;
};

static int node_line(yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static int perr(struct parse *ps, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parse *ps, yaml_node_t *n, const char *fmt, ...)
{
	char what[LC_ERROR_LEN - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!n)
		return lc_fail(ps->err, -EINVAL, "%s", what);
	return lc_fail(ps->err, -EINVAL, "line %d: %s", node_line(n), what);
}

static yaml_node_t *get(struct parse *ps, int id)
{
	return yaml_document_get_node(&ps->doc, id);
}

static bool is_key(yaml_node_t *k, const char *key)
{
	size_t n = strlen(key);

	return k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == n &&
	       !memcmp(k->data.scalar.value, key, n);
}

/* The value of KEY in mapping N, or NULL. */
static yaml_node_t *map_get(struct parse *ps, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p;

	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (is_key(get(ps, p->key), key))
			return get(ps, p->value);
	return NULL;
}

/* Every key of mapping N must be one of KEYS (NULL-terminated), once. */
static int only_keys(struct parse *ps, yaml_node_t *n, const char *what,
		     const char *const *keys)
{
	yaml_node_pair_t *p, *q;
	const char *const *k;

	if (!n || n->type != YAML_MAPPING_NODE)
		return perr(ps, n, "%s must be a mapping (key: value lines)", what);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = get(ps, p->key);
		bool known = false;

		if (!kn || kn->type != YAML_SCALAR_NODE)
			return perr(ps, kn, "%s: keys must be plain words", what);
		for (k = keys; *k && !known; k++)
			known = is_key(kn, *k);
		if (!known)
			return perr(ps, kn, "%s: unknown key '%.*s'", what,
				    (int)(kn->data.scalar.length > 64 ? 64 : kn->data.scalar.length),
				    (const char *)kn->data.scalar.value);
		/* a key given twice is ambiguous (schemas are a handful of keys) */
		for (q = n->data.mapping.pairs.start; q < p; q++)
			if (is_key(get(ps, q->key), (const char *)kn->data.scalar.value))
				return perr(ps, kn, "%s: key '%s' given twice", what,
					    (const char *)kn->data.scalar.value);
	}
	return 0;
}

static int scalar(struct parse *ps, yaml_node_t *n, const char *what, const char **out)
{
	if (!n)
		return perr(ps, n, "%s is missing", what);
	if (n->type != YAML_SCALAR_NODE)
		return perr(ps, n, "%s must be a single value", what);
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return perr(ps, n, "%s holds a NUL character", what);
	*out = (const char *)n->data.scalar.value;
	return 0;
}

/* The text of KEY in mapping MAP: *s points into the document, or is NULL
 * when an optional key is absent; *node is its node (for error lines). */
static int field(struct parse *ps, yaml_node_t *map, const char *key, const char *what,
		 bool required, const char **s, yaml_node_t **node)
{
	yaml_node_t *n = map_get(ps, map, key);

	*s = NULL;
	if (node)
		*node = n ? n : map;
	if (!n && !required)
		return 0;
	if (!n)
		return perr(ps, map, "%s: '%s' is missing", what, key);
	return scalar(ps, n, key, s);
}

static int str_field(struct parse *ps, yaml_node_t *map, const char *key, const char *what,
		     bool required, char **out)
{
	const char *s;
	int ret = field(ps, map, key, what, required, &s, NULL);

	*out = s ? lc_xstrdup(s) : NULL;
	return ret;
}

/* A word from a fixed list: the value the matching word maps to */
struct word {
	const char *word;
	int value;
};

static int choice(struct parse *ps, yaml_node_t *map, const char *key, const char *what,
		  bool required, const struct word *words, const char *expected, int *out)
{
	yaml_node_t *n;
	const char *s;
	int ret = field(ps, map, key, what, required, &s, &n);

	if (ret || !s)
		return ret;
	for (; words->word; words++) {
		if (!strcmp(s, words->word)) {
			*out = words->value;
			return 0;
		}
	}
	return perr(ps, n, "%s: %s must be %s, not '%.40s'", what, key, expected, s);
}

static int uint_field(struct parse *ps, yaml_node_t *map, const char *key, const char *what,
		      bool required, unsigned long long min, unsigned long long max, bool hex,
		      unsigned long long *out, bool *given)
{
	yaml_node_t *n;
	const char *s;
	int ret = field(ps, map, key, what, required, &s, &n);

	if (given)
		*given = s != NULL;
	if (ret || !s)
		return ret;
	if (lc_parse_uint(s, min, max, hex, out))
		return perr(ps, n, "%s: %s must be a whole number from %llu to %llu%s, not '%.40s'",
			    what, key, min, max, hex ? " (decimal or 0x hex)" :
			    " (decimal, no leading zero)", s);
	return 0;
}

static int bool_field(struct parse *ps, yaml_node_t *map, const char *key, const char *what,
		      bool *out)
{
	yaml_node_t *n;
	const char *s;
	int ret = field(ps, map, key, what, false, &s, &n);

	if (ret || !s)
		return ret;
	if (!strcmp(s, "true") || !strcmp(s, "yes"))
		*out = true;
	else if (!strcmp(s, "false") || !strcmp(s, "no"))
		*out = false;
	else
		return perr(ps, n, "%s: %s must be true or false", what, key);
	return 0;
}

/* 64M, 1G, 4096: bytes, with binary suffixes */
static int parse_size(const char *s, uint64_t *out)
{
	char num[32];
	unsigned long long v;
	uint64_t mul = 1;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'K': case 'k':
		mul = 1ULL << 10; break;
	case 'M': case 'm':
		mul = 1ULL << 20; break;
	case 'G': case 'g':
		mul = 1ULL << 30; break;
	case 'T': case 't':
		mul = 1ULL << 40; break;
	}
	if (mul > 1)
		num[n - 1] = '\0';
	if (lc_parse_uint(num, 1, (UINT64_MAX >> 1) / mul, false, &v))
		return -EINVAL;
	*out = v * mul;
	return 0;
}

/* The list under KEY: required lists must also be non-empty */
static int seq(struct parse *ps, yaml_node_t *root, const char *key, bool required,
	       yaml_node_item_t **start, size_t *count)
{
	yaml_node_t *n = map_get(ps, root, key);

	*start = NULL;
	*count = 0;
	if (!n && !required)
		return 0;
	if (!n)
		return perr(ps, root, "'%s' is missing", key);
	if (n->type != YAML_SEQUENCE_NODE)
		return perr(ps, n, "'%s' must be a list", key);
	*start = n->data.sequence.items.start;
	*count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (*count > LC_MAX_ITEMS)
		return perr(ps, n, "'%s' has more than %d entries", key, LC_MAX_ITEMS);
	if (required && *count == 0)
		return perr(ps, n, "'%s' is empty", key);
	return 0;
}

/* A name that becomes a configfs path component */
static int name_ok(struct parse *ps, yaml_node_t *n, const char *kind, const char *name,
		   size_t max)
{
	if (lc_safe_component(name, max))
		return 0;
	return perr(ps, n, "%s name '%.64s' must be 1-%zu letters, digits, '.', '_', ':' or '-', not starting with '.' or '-'",
		    kind, name, max);
}

/* A map of NAME: VALUE attributes: names are configfs entries, values one
 * line of printable text without spaces at either end */
static int attributes(struct parse *ps, yaml_node_t *map, const char *key, const char *what,
		      struct lc_kvs *out)
{
	yaml_node_t *n = map_get(ps, map, key);
	yaml_node_pair_t *p, *q;

	if (!n)
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return perr(ps, n, "%s: %s must map attribute names to values", what, key);
	out->v = lc_xcalloc((size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start),
			    sizeof(*out->v));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k, *v;
		size_t i;
		int ret = scalar(ps, get(ps, p->key), "an attribute name", &k);

		if (!ret)
			ret = scalar(ps, get(ps, p->value), "an attribute value", &v);
		if (ret)
			return ret;
		if (!lc_safe_component(k, 64) || strchr(k, ':'))
			return perr(ps, get(ps, p->key), "%s: '%.64s' is not an attribute name",
				    what, k);
		for (i = 0; v[i]; i++)
			if (!isprint((unsigned char)v[i]))
				return perr(ps, get(ps, p->value), "%s: %s: the value must be printable text on one line",
					    what, k);
		if (!*v || isspace((unsigned char)v[0]) || i > 255)
			return perr(ps, get(ps, p->value), "%s: %s: the value must be 1-255 characters",
				    what, k);
		for (q = n->data.mapping.pairs.start; q < p; q++)
			if (is_key(get(ps, q->key), k))
				return perr(ps, get(ps, p->key), "%s: attribute '%s' given twice",
					    what, k);
		out->v[out->n].key = lc_xstrdup(k);
		out->v[out->n].value = lc_xstrdup(v);
		out->n++;
	}
	return 0;
}

static const char *const state_names[16] = {
	[0] = "active/optimized", [1] = "active/non-optimized",
	[2] = "standby", [3] = "unavailable", [14] = "offline",
	[15] = "transitioning",
};

int lc_state_parse(const char *name, int *state)
{
	static const struct { const char *alias; int state; } aliases[] = {
		{ "ao", 0 }, { "optimized", 0 }, { "an", 1 }, { "ano", 1 },
		{ "non-optimized", 1 }, { "s", 2 }, { "sb", 2 }, { "u", 3 },
		{ "o", 14 },
	};
	size_t i;

	for (i = 0; i < 16; i++) {
		/* transitioning is the kernel's to set, not the admin's */
		if (state_names[i] && i != 15 && !strcmp(name, state_names[i])) {
			*state = (int)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcmp(name, aliases[i].alias)) {
			*state = aliases[i].state;
			return 0;
		}
	}
	return -EINVAL;
}

const char *lc_state_name(int state)
{
	if (state >= 0 && state < 16 && state_names[state])
		return state_names[state];
	return "unknown";
}

/* An absolute path that fits LIO's control strings (no commas, no space) */
static bool valid_path(const char *p)
{
	size_t i, n = strlen(p);

	if (p[0] != '/' || n > 255 || strstr(p, "/../") || strstr(p, "/./") ||
	    (n >= 3 && !strcmp(p + n - 3, "/..")) || (n >= 2 && !strcmp(p + n - 2, "/.")))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch <= ' ' || ch == ',' || ch >= 0x7f)
			return false;
	}
	return true;
}

/* ip:port or [ipv6]:port, as inet_ntop writes the address; NULL if bad */
static char *canonical_portal(const char *s)
{
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2], out[INET6_ADDRSTRLEN];
	unsigned long long port;
	unsigned char addr[16];
	size_t hl;

	if (!colon || lc_parse_uint(colon + 1, 1, 65535, false, &port))
		return NULL;
	hl = (size_t)(colon - s);
	if (hl == 0 || hl >= sizeof(host))
		return NULL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (host[0] == '[') {
		if (hl < 3 || host[hl - 1] != ']')
			return NULL;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, addr) != 1 ||
		    !inet_ntop(AF_INET6, addr, out, sizeof(out)))
			return NULL;
		return lc_xasprintf("[%s]:%llu", out, port);
	}
	if (inet_pton(AF_INET, host, addr) != 1 || !inet_ntop(AF_INET, addr, out, sizeof(out)))
		return NULL;
	return lc_xasprintf("%s:%llu", out, port);
}

/* A CHAP userid or secret: printable, no space, like LIO's auth attributes */
static bool valid_chap_text(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	return true;
}

/* chap: { userid: U, secret: NAME } where NAME is a key of the secrets file */
static int chap_field(struct parse *ps, yaml_node_t *map, const char *key, const char *what,
		      struct lc_chap *out)
{
	static const char *const keys[] = { "userid", "secret", NULL };
	yaml_node_t *n = map_get(ps, map, key), *sn;
	const char *name, *secret;
	int ret;

	if (!n)
		return 0;
	ret = only_keys(ps, n, key, keys);
	if (!ret)
		ret = str_field(ps, n, "userid", what, true, &out->userid);
	if (!ret)
		ret = field(ps, n, "secret", what, true, &name, &sn);
	if (ret)
		return ret;
	if (!valid_chap_text(out->userid, 1, 255))
		return perr(ps, n, "%s: %s: userid must be 1-255 printable characters without spaces",
			    what, key);
	if (!lc_safe_component(name, 64))
		return perr(ps, sn, "%s: %s: secret names an entry of the secrets file (letters, digits, . _ : -)",
			    what, key);
	if (!ps->have_secrets && ps->unresolved) {
		out->secret_name = lc_xstrdup(name);
		return 0;
	}
	if (!ps->have_secrets)
		return perr(ps, sn, "%s: %s needs the secrets file (--secrets FILE, default /etc/liocluster/secrets)",
			    what, key);
	secret = lc_map_get(&ps->secrets, name);
	if (!secret)
		return perr(ps, sn, "%s: %s: the secrets file has no entry '%.64s'", what, key, name);
	out->secret = lc_xstrdup(secret);
	out->secret_name = lc_xstrdup(name);
	return 0;
}

static int parse_nodes(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "name", NULL };
	struct lc_map seen = { 0 };
	yaml_node_item_t *it;
	size_t n, i;
	int ret;

	ret = seq(ps, root, "nodes", true, &it, &n);
	if (ret)
		return ret;
	if (n > LC_MAX_NODES)
		return perr(ps, root, "a cluster has 1 to %d nodes", LC_MAX_NODES);
	c->nodes = lc_xcalloc(n, sizeof(*c->nodes));
	for (i = 0; i < n && !ret; i++) {
		yaml_node_t *m = get(ps, it[i]);

		ret = only_keys(ps, m, "node", keys);
		if (!ret)
			ret = str_field(ps, m, "name", "node", true, &c->nodes[i]);
		if (ret)
			break;
		c->nnodes++;
		ret = name_ok(ps, m, "node", c->nodes[i], 63);
		if (!ret && lc_map_put(&seen, c->nodes[i], m))
			ret = perr(ps, m, "node '%s' is listed twice", c->nodes[i]);
	}
	lc_map_free(&seen);
	return ret;
}

static const struct word backstores[] = {
	{ "rd_mcp", LC_RD_MCP }, { "ramdisk", LC_RD_MCP }, { "fileio", LC_FILEIO },
	{ "iblock", LC_IBLOCK }, { "block", LC_IBLOCK }, { NULL, 0 },
};

static const struct word fabrics[] = {
	{ "iscsi", LC_ISCSI }, { "loopback", LC_LOOPBACK }, { "tcm_loop", LC_LOOPBACK },
	{ "fc", LC_FC }, { "qla2xxx", LC_FC }, { NULL, 0 },
};

static const struct word access_types[] = {
	{ "implicit", 1 }, { "both", 3 }, { "implicit-and-explicit", 3 }, { NULL, 0 },
};

/* <plugin>_<n>, the plugin the device's backstore's, as target core names
 * HBAs (target_core_call_addhbatotarget; n a u32, written canonically) */
static int hba_ok(struct parse *ps, yaml_node_t *n, const struct lc_device *d, const char *s)
{
	const char *plugin = lc_backstore_plugin(d->backstore);
	size_t pl = strlen(plugin);
	unsigned long long v;

	if (!strncmp(s, plugin, pl) && s[pl] == '_' && !lc_parse_uint(s + pl + 1, 0, UINT32_MAX, false, &v))
		return 0;
	return perr(ps, n, "device %s: hba '%.64s' must be %s_<n> (the %s backstore's HBAs; n from 0 to 4294967295, no leading zero)",
		    d->name, s, plugin, plugin);
}

/* hba: rd_mcp_3, or per node: hba: { node-a: fileio_0, node-b: fileio_2 }
 * (nodes not named use <plugin>_<hba_index>) */
static int parse_hba(struct parse *ps, struct lc_cluster *c, yaml_node_t *m, struct lc_device *d)
{
	yaml_node_t *hn = map_get(ps, m, "hba");
	yaml_node_pair_t *p;
	size_t j;
	int ret;

	if (!hn)
		return 0;
	if (hn->type == YAML_SCALAR_NODE) {
		ret = str_field(ps, m, "hba", d->name, true, &d->hba);
		return ret ? ret : hba_ok(ps, hn, d, d->hba);
	}
	if (hn->type != YAML_MAPPING_NODE)
		return perr(ps, hn, "device %s: hba must be an HBA name (%s_0) or map node names to HBA names",
			    d->name, lc_backstore_plugin(d->backstore));
	d->hbas = lc_xcalloc((size_t)(hn->data.mapping.pairs.top - hn->data.mapping.pairs.start),
			     sizeof(*d->hbas));
	for (p = hn->data.mapping.pairs.start; p < hn->data.mapping.pairs.top; p++) {
		const char *k, *val;

		ret = scalar(ps, get(ps, p->key), "a node name", &k);
		if (!ret)
			ret = scalar(ps, get(ps, p->value), "an HBA name", &val);
		if (ret)
			return ret;
		if (!lc_cluster_has_node(c, k))
			return perr(ps, get(ps, p->key), "device %s: hba: no node '%.64s'", d->name, k);
		for (j = 0; j < d->nhbas; j++)
			if (!strcmp(d->hbas[j].node, k))
				return perr(ps, get(ps, p->key), "device %s: hba: node %s given twice",
					    d->name, k);
		ret = hba_ok(ps, get(ps, p->value), d, val);
		if (ret)
			return ret;
		d->hbas[d->nhbas].node = lc_xstrdup(k);
		d->hbas[d->nhbas].path = lc_xstrdup(val);
		d->nhbas++;
	}
	return 0;
}

static int parse_device(struct parse *ps, struct lc_cluster *c, yaml_node_t *m,
			struct lc_device *d, struct lc_map *serials)
{
	static const char *const keys[] = { "name", "backstore", "size", "path",
		"paths", "hba", "serial", "company_id", "attributes", NULL };
	yaml_node_t *pn, *sz;
	unsigned long long v;
	const struct lc_device *other;
	bool given;
	size_t j;
	int kind, ret;

	ret = only_keys(ps, m, "device", keys);
	if (!ret)
		ret = str_field(ps, m, "name", "device", true, &d->name);
	if (!ret)
		ret = name_ok(ps, m, "device", d->name, 63);
	if (ret)
		return ret;
	if (lc_lun_entry_reserved(d->name))
		return perr(ps, m, "device name '%s' is taken: configfs uses it inside every LUN directory, where the LUN's link is named after its device",
			    d->name);
	if (lc_map_put(&c->device_by_name, d->name, d))
		return perr(ps, m, "device '%s' is listed twice", d->name);
	ret = choice(ps, m, "backstore", d->name, true, backstores,
		     "rd_mcp, fileio or iblock", &kind);
	if (ret)
		return ret;
	d->backstore = (enum lc_backstore)kind;
	sz = map_get(ps, m, "size");
	if (sz) {
		const char *s;

		ret = scalar(ps, sz, "size", &s);
		if (ret)
			return ret;
		if (parse_size(s, &d->size))
			return perr(ps, sz, "device %s: size must be like 64M, 1G or 4096, not '%.40s'",
				    d->name, s);
	}
	if (d->backstore == LC_IBLOCK && sz)
		return perr(ps, sz, "device %s: an iblock device has the size of its block device",
			    d->name);
	if (d->backstore != LC_IBLOCK && !sz)
		return perr(ps, m, "device %s: size is missing", d->name);
	if (d->backstore == LC_RD_MCP && d->size % 4096)
		return perr(ps, sz, "device %s: an rd_mcp size must be a multiple of 4 KiB", d->name);
	ret = str_field(ps, m, "path", d->name, false, &d->path);
	if (ret)
		return ret;
	pn = map_get(ps, m, "paths");
	if (pn) {
		yaml_node_pair_t *p;

		if (pn->type != YAML_MAPPING_NODE)
			return perr(ps, pn, "device %s: paths must map node names to paths", d->name);
		d->paths = lc_xcalloc((size_t)(pn->data.mapping.pairs.top -
					       pn->data.mapping.pairs.start), sizeof(*d->paths));
		for (p = pn->data.mapping.pairs.start; p < pn->data.mapping.pairs.top; p++) {
			const char *k, *val;

			ret = scalar(ps, get(ps, p->key), "a node name", &k);
			if (!ret)
				ret = scalar(ps, get(ps, p->value), "a path", &val);
			if (ret)
				return ret;
			if (!lc_cluster_has_node(c, k))
				return perr(ps, get(ps, p->key), "device %s: paths: no node '%.64s'",
					    d->name, k);
			for (j = 0; j < d->npaths; j++)
				if (!strcmp(d->paths[j].node, k))
					return perr(ps, get(ps, p->key), "device %s: paths: node %s given twice",
						    d->name, k);
			if (!valid_path(val))
				return perr(ps, get(ps, p->value),
					    "device %s: '%.64s' is not an absolute path without spaces or commas",
					    d->name, val);
			d->paths[d->npaths].node = lc_xstrdup(k);
			d->paths[d->npaths].path = lc_xstrdup(val);
			d->npaths++;
		}
	}
	if (d->backstore == LC_RD_MCP && (d->path || d->npaths))
		return perr(ps, m, "device %s: an rd_mcp device has no path", d->name);
	if (d->backstore != LC_RD_MCP) {
		if (d->path && !valid_path(d->path))
			return perr(ps, m, "device %s: '%.64s' is not an absolute path without spaces or commas",
				    d->name, d->path);
		for (j = 0; j < c->nnodes && !d->path; j++)
			if (!lc_device_path(d, c->nodes[j]))
				return perr(ps, m, "device %s: no path for node %s", d->name, c->nodes[j]);
	}
	ret = parse_hba(ps, c, m, d);
	if (ret)
		return ret;
	ret = str_field(ps, m, "serial", d->name, true, &d->serial);
	if (ret)
		return ret;
	if (!lc_safe_component(d->serial, 64) || strchr(d->serial, ':'))
		return perr(ps, m, "device %s: serial must be 1-64 letters, digits, '.', '_' or '-'",
			    d->name);
	other = lc_map_put(serials, d->serial, d);
	if (other)
		return perr(ps, m, "device %s: serial %s is device %s's too", d->name, d->serial,
			    other->name);
	ret = uint_field(ps, m, "company_id", d->name, false, 0, 0xffffff, true, &v, &given);
	if (ret)
		return ret;
	if (given)
		d->company_id = (long)v;
	return attributes(ps, m, "attributes", d->name, &d->attrib);
}

static int parse_devices(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	struct lc_map serials = { 0 };
	yaml_node_item_t *it;
	size_t n, i;
	int ret;

	ret = seq(ps, root, "devices", true, &it, &n);
	if (ret)
		return ret;
	c->devices = lc_xcalloc(n, sizeof(*c->devices));
	for (i = 0; i < n && !ret; i++) {
		c->devices[i].company_id = -1;
		c->ndevices++;
		ret = parse_device(ps, c, get(ps, it[i]), &c->devices[i], &serials);
	}
	lc_map_free(&serials);
	return ret;
}

static int parse_groups(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "name", "id", "state", "preferred",
		"transition_time", "access", NULL };
	struct lc_map ids = { 0 };
	char (*idkey)[8];
	yaml_node_item_t *it;
	size_t n, i;
	int ret;

	/* optional: ports may all stay in target core's default_tg_pt_gp */
	ret = seq(ps, root, "alua_groups", false, &it, &n);
	if (ret)
		return ret;
	idkey = lc_xcalloc(n, sizeof(*idkey));
	c->groups = lc_xcalloc(n, sizeof(*c->groups));
	for (i = 0; i < n && !ret; i++) {
		struct lc_group *g = &c->groups[i];
		yaml_node_t *m = get(ps, it[i]), *sn;
		unsigned long long v;
		const struct lc_group *other;
		const char *s;
		bool given;
		int access = 1;

		c->ngroups++;
		g->transition_secs = -1;
		g->access_type = 1;
		ret = only_keys(ps, m, "ALUA group", keys);
		if (!ret)
			ret = str_field(ps, m, "name", "ALUA group", true, &g->name);
		if (!ret)
			ret = name_ok(ps, m, "ALUA group", g->name, 63);
		if (ret)
			break;
		if (!strcmp(g->name, "default_tg_pt_gp")) {
			ret = perr(ps, m, "default_tg_pt_gp is target core's own group");
			break;
		}
		if (lc_map_put(&c->group_by_name, g->name, g)) {
			ret = perr(ps, m, "ALUA group '%s' is listed twice", g->name);
			break;
		}
		ret = uint_field(ps, m, "id", g->name, true, 1, 65535, false, &v, NULL);
		if (ret)
			break;
		g->id = (unsigned int)v;
		snprintf(idkey[i], sizeof(idkey[i]), "%u", g->id);
		other = lc_map_put(&ids, idkey[i], g);
		if (other) {
			ret = perr(ps, m, "ALUA groups %s and %s both have id %u", other->name,
				   g->name, g->id);
			break;
		}
		ret = field(ps, m, "state", g->name, true, &s, &sn);
		if (ret)
			break;
		if (lc_state_parse(s, &g->state)) {
			ret = perr(ps, sn, "ALUA group %s: state must be active/optimized, active/non-optimized, standby, unavailable or offline, not '%.40s'",
				   g->name, s);
			break;
		}
		ret = bool_field(ps, m, "preferred", g->name, &g->preferred);
		if (!ret)
			ret = uint_field(ps, m, "transition_time", g->name, false, 0, 255, false,
					 &v, &given);
		if (ret)
			break;
		if (given)
			g->transition_secs = (int)v;
		if (map_get(ps, m, "access") && is_key(map_get(ps, m, "access"), "explicit")) {
			ret = perr(ps, map_get(ps, m, "access"),
				   "ALUA group %s: LIO refuses configfs state changes on explicit-only groups, so liocluster could not drive them; use 'both' (implicit and explicit)",
				   g->name);
			break;
		}
		ret = choice(ps, m, "access", g->name, false, access_types,
			     "implicit or both", &access);
		g->access_type = (unsigned int)access;
	}
	lc_map_free(&ids);
	free(idkey);
	return ret;
}

static int parse_portals(struct parse *ps, yaml_node_t *pl, const char *what, struct lc_port *p)
{
	struct lc_map seen = { 0 };
	yaml_node_item_t *q;
	int ret = 0;

	if (p->fabric != LC_ISCSI)
		return perr(ps, pl, "port %.64s: only iSCSI ports have portals", what);
	if (pl->type != YAML_SEQUENCE_NODE)
		return perr(ps, pl, "port %.64s: portals must be a list", what);
	p->portals = lc_xcalloc((size_t)(pl->data.sequence.items.top - pl->data.sequence.items.start),
				sizeof(char *));
	for (q = pl->data.sequence.items.start; q < pl->data.sequence.items.top && !ret; q++) {
		const char *s;
		char *canon;

		ret = scalar(ps, get(ps, *q), "a portal", &s);
		if (ret)
			break;
		canon = canonical_portal(s);
		if (!canon) {
			ret = perr(ps, get(ps, *q), "port %.64s: portal '%.64s' is not IPv4:port or [IPv6]:port",
				   what, s);
			break;
		}
		p->portals[p->nportals++] = canon;
		if (lc_map_put(&seen, canon, q))
			ret = perr(ps, get(ps, *q), "port %.64s: portal %s is listed twice", what, canon);
	}
	lc_map_free(&seen);
	return ret;
}

/* Ports without an rtpi get the smallest numbers no other port has, in
 * list order: what the tool derives, and `check` prints. */
static int derive_rtpis(struct parse *ps, struct lc_cluster *c)
{
	unsigned char *used = lc_xcalloc(65536, 1);
	unsigned int next = 1;
	size_t i;
	int ret = 0;

	for (i = 0; i < c->nports && !ret; i++) {
		struct lc_port *p = &c->ports[i];

		if (!p->rtpi_explicit)
			continue;
		if (used[p->rtpi]) {
			size_t j;

			for (j = 0; j < i; j++)
				if (c->ports[j].rtpi_explicit && c->ports[j].rtpi == p->rtpi)
					break;
			ret = lc_fail(ps->err, -EINVAL,
				      "ports %s and %s both have RTPI %u; an RTPI names one port cluster-wide",
				      c->ports[j].label, p->label, p->rtpi);
		}
		used[p->rtpi] = 1;
	}
	for (i = 0; i < c->nports && !ret; i++) {
		struct lc_port *p = &c->ports[i];

		if (p->rtpi_explicit)
			continue;
		while (next <= 65535 && used[next])
			next++;
		if (next > 65535) {
			ret = lc_fail(ps->err, -EINVAL, "more ports than RTPIs");
			break;
		}
		p->rtpi = next;
		used[next] = 1;
	}
	free(used);
	return ret;
}

static int parse_port(struct parse *ps, struct lc_cluster *c, yaml_node_t *m,
		      struct lc_port *p, struct lc_map *tags, char *tagkey)
{
	static const char *const keys[] = { "name", "node", "fabric", "wwn", "tpg",
		"rtpi", "group", "portals", "nexus", "attributes", "parameters", NULL };
	unsigned long long v;
	const struct lc_port *other;
	yaml_node_t *pl;
	const char *wwn, *what;
	bool given;
	int kind, ret;

	ret = only_keys(ps, m, "port", keys);
	if (!ret)
		ret = field(ps, m, "wwn", "port", true, &wwn, NULL);
	if (!ret)
		ret = str_field(ps, m, "name", "port", false, &p->label);
	if (ret)
		return ret;
	if (p->label && (ret = name_ok(ps, m, "port", p->label, 63)))
		return ret;
	what = p->label ? p->label : wwn;
	ret = choice(ps, m, "fabric", what, true, fabrics, "iscsi, fc or loopback", &kind);
	if (ret)
		return ret;
	p->fabric = (enum lc_fabric)kind;
	p->kind = lc_name_parse(wwn, &p->wwn);
	/* an FC port's naa.<16 hex> is its WWPN */
	if (p->fabric == LC_FC && p->kind == LC_NAME_NAA && strlen(p->wwn) == 20) {
		char *w = lc_xstrdup(p->wwn + 4);

		free(p->wwn);
		p->wwn = w;
		p->kind = LC_NAME_WWPN;
	}
	if (p->kind == LC_NAME_BAD || !lc_fabric_takes(p->fabric, p->kind))
		return perr(ps, m, "port %.64s: '%.64s' is not a valid %s port name (%s)",
			    what, wwn, lc_fabric_dir(p->fabric),
			    p->fabric == LC_ISCSI ? "iqn.yyyy-mm.domain[:id], eui.<16 hex> or naa.<16 or 32 hex>" :
			    p->fabric == LC_FC ? "a WWPN: 21:00:00:24:ff:31:4a:5b, naa.21000024ff314a5b or 0x21000024ff314a5b" :
			    "naa.<16 hex>");
	if (!p->label)
		p->label = lc_xstrdup(p->wwn);
	else if (lc_map_put(&c->port_by_label, p->label, p))
		return perr(ps, m, "port name %s is used twice", p->label);
	ret = str_field(ps, m, "node", what, true, &p->node);
	if (ret)
		return ret;
	if (!lc_cluster_has_node(c, p->node))
		return perr(ps, m, "port %.64s: no node '%.64s' in 'nodes'", what, p->node);
	ret = uint_field(ps, m, "tpg", what, true, 0,
			 p->fabric == LC_LOOPBACK ? 31 : 65535, false, &v, NULL);
	if (ret)
		return ret;
	p->tag = (unsigned int)v;
	ret = uint_field(ps, m, "rtpi", what, false, 1, 65535, true, &v, &given);
	if (ret)
		return ret;
	p->rtpi_explicit = given;
	p->rtpi = given ? (unsigned int)v : 0;
	ret = str_field(ps, m, "group", what, true, &p->group);
	if (ret)
		return ret;
	/* default_tg_pt_gp: the port stays in target core's own group */
	if (strcmp(p->group, "default_tg_pt_gp") && !lc_find_group(c, p->group))
		return perr(ps, m, "port %.64s: no ALUA group '%.64s' in alua_groups (default_tg_pt_gp leaves it in target core's own)",
			    what, p->group);
	pl = map_get(ps, m, "portals");
	if (pl && (ret = parse_portals(ps, pl, what, p)))
		return ret;
	if (map_get(ps, m, "nexus")) {
		const char *nx;
		yaml_node_t *nn;

		ret = field(ps, m, "nexus", what, true, &nx, &nn);
		if (ret)
			return ret;
		if (p->fabric != LC_LOOPBACK || lc_name_parse(nx, &p->nexus) != LC_NAME_NAA ||
		    strlen(p->nexus) != 20)
			return perr(ps, nn, "port %.64s: nexus is a loopback port's initiator name, naa.<16 hex>",
				    what);
	} else if (p->fabric == LC_LOOPBACK) {
		return perr(ps, m, "port %.64s: 'nexus' is missing (a loopback port's initiator side)", what);
	}
	ret = attributes(ps, m, "attributes", what, &p->attrib);
	if (!ret)
		ret = attributes(ps, m, "parameters", what, &p->param);
	if (ret)
		return ret;
	if (p->param.n && p->fabric != LC_ISCSI)
		return perr(ps, m, "port %.64s: only iSCSI ports have parameters", what);
	/* one port per WWN and tag; a WWN lives on one node */
	snprintf(tagkey, 256, "%s %u", p->wwn, p->tag);
	other = lc_map_put(tags, tagkey, p);
	if (other)
		return perr(ps, m, "port %.64s: %s tpg %u is port %s too", what, p->wwn, p->tag,
			    other->label);
	other = lc_map_get(tags, p->wwn);
	if (other && strcmp(other->node, p->node))
		return perr(ps, m, "port %.64s: WWN %s is on nodes %s and %s", what, p->wwn,
			    other->node, p->node);
	if (!other)
		lc_map_put(tags, p->wwn, p);
	return 0;
}

static int parse_ports(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	struct lc_map tags = { 0 };
	yaml_node_item_t *it;
	char *tagkeys;
	size_t n, i;
	int ret;

	ret = seq(ps, root, "ports", true, &it, &n);
	if (ret)
		return ret;
	c->ports = lc_xcalloc(n, sizeof(*c->ports));
	tagkeys = lc_xcalloc(n, 256);
	for (i = 0; i < n && !ret; i++) {
		c->nports++;
		ret = parse_port(ps, c, get(ps, it[i]), &c->ports[i], &tags, tagkeys + 256 * i);
	}
	lc_map_free(&tags);
	free(tagkeys);
	if (!ret)
		ret = derive_rtpis(ps, c);
	return ret;
}

static int parse_luns(struct parse *ps, yaml_node_t *root, struct lc_cluster *c,
		      struct lc_map *luns, char *keys)
{
	static const char *const fields[] = { "lun", "device", NULL };
	yaml_node_item_t *it;
	size_t n, i;
	int ret;

	ret = seq(ps, root, "luns", true, &it, &n);
	if (ret)
		return ret;
	c->luns = lc_xcalloc(n, sizeof(*c->luns));
	for (i = 0; i < n && !ret; i++) {
		struct lc_lun *l = &c->luns[i];
		yaml_node_t *m = get(ps, it[i]);
		unsigned long long v;

		c->nluns++;
		ret = only_keys(ps, m, "LUN", fields);
		if (!ret)
			ret = uint_field(ps, m, "lun", "LUN", true, 0, 16383, false, &v, NULL);
		if (!ret)
			ret = str_field(ps, m, "device", "LUN", true, &l->device);
		if (ret)
			break;
		l->lun = (unsigned int)v;
		if (!lc_find_device(c, l->device))
			ret = perr(ps, m, "LUN %u: no device '%.64s'", l->lun, l->device);
		snprintf(keys + 8 * i, 8, "%u", l->lun);
		if (!ret && lc_map_put(luns, keys + 8 * i, l))
			ret = perr(ps, m, "LUN %u is listed twice", l->lun);
	}
	return ret;
}

static int parse_acl(struct parse *ps, struct lc_cluster *c, yaml_node_t *m, struct lc_acl *a,
		     const struct lc_map *luns, struct lc_map *seen)
{
	static const char *const keys[] = { "initiator", "luns", "ports", "attributes",
		"chap", "mutual_chap", NULL };
	struct lc_map mine = { 0 };
	char *numkeys = NULL;
	yaml_node_t *ln, *pn;
	const char *name;
	size_t k;
	int ret;

	ret = only_keys(ps, m, "ACL", keys);
	if (!ret)
		ret = field(ps, m, "initiator", "ACL", true, &name, NULL);
	if (ret)
		return ret;
	a->kind = lc_name_parse(name, &a->initiator);
	if (a->kind == LC_NAME_BAD)
		return perr(ps, m, "'%.64s' is not an iqn., eui., naa. or WWPN initiator name", name);
	if (lc_map_put(seen, a->initiator, a))
		return perr(ps, m, "initiator %s is listed twice", a->initiator);
	pn = map_get(ps, m, "ports");
	if (pn) {
		yaml_node_item_t *q;

		if (pn->type != YAML_SEQUENCE_NODE)
			return perr(ps, pn, "ACL %s: ports must be a list of port names", a->initiator);
		a->ports = lc_xcalloc((size_t)(pn->data.sequence.items.top -
					       pn->data.sequence.items.start), sizeof(char *));
		for (q = pn->data.sequence.items.start; q < pn->data.sequence.items.top; q++) {
			const struct lc_port *p;
			const char *s;

			ret = scalar(ps, get(ps, *q), "a port name", &s);
			if (ret)
				return ret;
			p = lc_map_get(&c->port_by_label, s);
			if (!p)
				return perr(ps, get(ps, *q), "ACL %s: no port named '%.64s'", a->initiator, s);
			if (!lc_fabric_takes(p->fabric, a->kind) &&
			    !(p->fabric == LC_LOOPBACK && a->kind == LC_NAME_NAA))
				return perr(ps, get(ps, *q), "ACL %s: port %s is %s and cannot take a %s initiator",
					    a->initiator, s, lc_fabric_dir(p->fabric),
					    lc_name_kind_str(a->kind));
			a->ports[a->nports++] = lc_xstrdup(s);
		}
	}
	ln = map_get(ps, m, "luns");
	if (ln) {
		yaml_node_item_t *q;
		size_t cnt;

		if (ln->type != YAML_SEQUENCE_NODE)
			return perr(ps, ln, "ACL %s: luns must be a list", a->initiator);
		cnt = (size_t)(ln->data.sequence.items.top - ln->data.sequence.items.start);
		a->luns = lc_xcalloc(cnt, sizeof(unsigned int));
		numkeys = lc_xcalloc(cnt ? cnt : 1, 8);
		for (q = ln->data.sequence.items.start, k = 0; q < ln->data.sequence.items.top && !ret;
		     q++, k++) {
			const char *s;
			unsigned long long v;

			ret = scalar(ps, get(ps, *q), "a LUN", &s);
			if (ret)
				break;
			if (lc_parse_uint(s, 0, 16383, false, &v)) {
				ret = perr(ps, get(ps, *q), "ACL %s: '%.20s' is not a LUN number",
					   a->initiator, s);
				break;
			}
			snprintf(numkeys + 8 * k, 8, "%llu", v);
			if (!lc_map_get(luns, numkeys + 8 * k))
				ret = perr(ps, get(ps, *q), "ACL %s: LUN %llu is not in 'luns'",
					   a->initiator, v);
			else if (lc_map_put(&mine, numkeys + 8 * k, q))
				ret = perr(ps, get(ps, *q), "ACL %s: LUN %llu is listed twice",
					   a->initiator, v);
			else
				a->luns[a->nluns++] = (unsigned int)v;
		}
	}
	lc_map_free(&mine);
	free(numkeys);
	if (!ret)
		ret = attributes(ps, m, "attributes", a->initiator, &a->attrib);
	if (!ret)
		ret = chap_field(ps, m, "chap", a->initiator, &a->chap);
	if (!ret)
		ret = chap_field(ps, m, "mutual_chap", a->initiator, &a->mutual);
	if (!ret && a->mutual.userid && !a->chap.userid)
		ret = perr(ps, m, "ACL %s: mutual_chap needs chap", a->initiator);
	if (!ret && (a->chap.userid) && a->kind != LC_NAME_IQN && a->kind != LC_NAME_EUI &&
	    a->kind != LC_NAME_NAA)
		ret = perr(ps, m, "ACL %s: CHAP is iSCSI's; this is a %s initiator", a->initiator,
			   lc_name_kind_str(a->kind));
	return ret;
}

static int parse_acls(struct parse *ps, yaml_node_t *root, struct lc_cluster *c,
		      const struct lc_map *luns)
{
	struct lc_map seen = { 0 };
	yaml_node_item_t *it;
	size_t n, i;
	int ret;

	ret = seq(ps, root, "acls", false, &it, &n);
	if (ret)
		return ret;
	c->acls = lc_xcalloc(n, sizeof(*c->acls));
	for (i = 0; i < n && !ret; i++) {
		c->nacls++;
		ret = parse_acl(ps, c, get(ps, it[i]), &c->acls[i], luns, &seen);
	}
	lc_map_free(&seen);
	return ret;
}

static int parse_discovery(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "enforce", "chap", "mutual_chap", NULL };
	yaml_node_t *n = map_get(ps, root, "discovery_auth");
	int ret;

	if (!n)
		return 0;
	ret = only_keys(ps, n, "discovery_auth", keys);
	if (!ret)
		ret = bool_field(ps, n, "enforce", "discovery_auth", &c->discovery_enforce);
	if (!ret)
		ret = chap_field(ps, n, "chap", "discovery_auth", &c->discovery);
	if (!ret)
		ret = chap_field(ps, n, "mutual_chap", "discovery_auth", &c->discovery_mutual);
	if (!ret && c->discovery_enforce && !c->discovery.userid)
		ret = perr(ps, n, "discovery_auth: enforce needs chap");
	if (!ret && c->discovery_mutual.userid && !c->discovery.userid)
		ret = perr(ps, n, "discovery_auth: mutual_chap needs chap");
	return ret;
}

static int parse_root(struct parse *ps, struct lc_cluster *c)
{
	static const char *const keys[] = { "cluster", "hba_index", "nodes", "devices",
		"alua_groups", "ports", "luns", "acls", "discovery_auth", NULL };
	yaml_node_t *root = yaml_document_get_root_node(&ps->doc);
	struct lc_map luns = { 0 };
	unsigned long long v;
	char *lunkeys = NULL;
	yaml_node_t *ln;
	bool given;
	int ret;

	if (!root)
		return lc_fail(ps->err, -EINVAL, "the description is empty");
	ret = only_keys(ps, root, "the description", keys);
	if (!ret)
		ret = str_field(ps, root, "cluster", "the description", true, &c->name);
	if (!ret)
		ret = name_ok(ps, root, "cluster", c->name, 63);
	if (!ret)
		ret = uint_field(ps, root, "hba_index", "the description", false, 0, 65535, false,
				 &v, &given);
	if (ret)
		return ret;
	c->hba_index = given ? (unsigned int)v : 42;
	ret = parse_nodes(ps, root, c);
	if (!ret)
		ret = parse_devices(ps, root, c);
	if (!ret)
		ret = parse_groups(ps, root, c);
	if (!ret)
		ret = parse_ports(ps, root, c);
	ln = map_get(ps, root, "luns");
	if (!ret && ln && ln->type == YAML_SEQUENCE_NODE)
		lunkeys = lc_xcalloc((size_t)(ln->data.sequence.items.top -
					      ln->data.sequence.items.start) + 1, 8);
	if (!ret)
		ret = parse_luns(ps, root, c, &luns, lunkeys);
	if (!ret)
		ret = parse_acls(ps, root, c, &luns);
	if (!ret)
		ret = parse_discovery(ps, root, c);
	lc_map_free(&luns);
	free(lunkeys);
	return ret;
}

/*
 * The first pass: libyaml's events, with no document built, so that deep
 * nesting, aliases, several documents and floods of nodes are refused in
 * time linear in the input.
 */
static int prescan(const char *buf, size_t len, struct lc_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, docs = 0, ret = 0;
	size_t nodes = 0, items[LC_MAX_DEPTH + 2] = { 0 };
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return lc_fail(err, -ENOMEM, "cannot start the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && !ret) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = lc_fail(err, -EINVAL, "line %d: %s", (int)parser.problem_mark.line + 1,
				      parser.problem ? parser.problem : "not valid YAML");
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				ret = lc_fail(err, -EINVAL, "line %d: a second YAML document; a description is one document",
					      (int)ev.start_mark.line + 1);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
		case YAML_SCALAR_EVENT:
			/* one more entry of the list or mapping it is in (a
			 * mapping's entries are its keys and values) */
			if (depth > 0 && ++items[depth] > 2 * LC_MAX_ITEMS + 2)
				ret = lc_fail(err, -EINVAL, "line %d: a list or mapping with more than %d entries",
					      (int)ev.start_mark.line + 1, LC_MAX_ITEMS);
			if (++nodes > LC_MAX_NODES_YAML)
				ret = lc_fail(err, -EINVAL, "more than %d YAML nodes", LC_MAX_NODES_YAML);
			if (ev.type == YAML_SCALAR_EVENT)
				break;
			if (++depth > LC_MAX_DEPTH)
				ret = lc_fail(err, -EINVAL, "line %d: nested deeper than a description ever is (%d levels)",
					      (int)ev.start_mark.line + 1, LC_MAX_DEPTH);
			else
				items[depth] = 0;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_ALIAS_EVENT:
			ret = lc_fail(err, -EINVAL, "line %d: YAML aliases (*name) are not allowed in a description",
				      (int)ev.start_mark.line + 1);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ret;
}

static void chap_free(struct lc_chap *ch)
{
	free(ch->userid);
	if (ch->secret)
		memset(ch->secret, 0, strlen(ch->secret));
	free(ch->secret);
	free(ch->secret_name);
}

static void secrets_free(struct parse *ps)
{
	size_t i;

	for (i = 0; i < ps->secrets.cap; i++) {
		if (ps->secrets.keys && ps->secrets.keys[i]) {
			char *v = ps->secrets.vals[i];

			memset(v, 0, strlen(v));
			free(v);
			free((char *)ps->secrets.keys[i]);
		}
	}
	lc_map_free(&ps->secrets);
}

static int parse_buffer(struct parse *ps, const char *buf, size_t len, struct lc_cluster **out)
{
	yaml_parser_t parser;
	struct lc_cluster *c;
	int ret;

	*out = NULL;
	if (len > LC_MAX_FILE)
		return lc_fail(ps->err, -EFBIG, "the description is larger than %d bytes", LC_MAX_FILE);
	ret = prescan(buf, len, ps->err);
	if (ret)
		return ret;
	if (!yaml_parser_initialize(&parser))
		return lc_fail(ps->err, -ENOMEM, "cannot start the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &ps->doc)) {
		ret = lc_fail(ps->err, -EINVAL, "line %d: %s", (int)parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "not valid YAML");
		yaml_parser_delete(&parser);
		return ret;
	}
	yaml_parser_delete(&parser);
	c = lc_xcalloc(1, sizeof(*c));
	ret = parse_root(ps, c);
	yaml_document_delete(&ps->doc);
	if (ret) {
		lc_cluster_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int lc_cluster_parse(const char *buf, size_t len, struct lc_cluster **out, struct lc_error *err)
{
	struct parse ps = { .err = err };

	return parse_buffer(&ps, buf, len, out);
}

/*
 * Read a regular file (never a FIFO or device, which could block or never
 * end) of at most MAX bytes.  With PRIVATE, the file must be readable by
 * its owner only, as a secrets file must.
 */
static int read_small_file(const char *path, size_t max, bool private, char **buf,
			   size_t *len, struct lc_error *err)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	*buf = NULL;
	if (fd < 0)
		return lc_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		int e = errno;

		close(fd);
		return lc_fail(err, -e, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return lc_fail(err, -EINVAL, "%s: not a regular file", path);
	}
	if (private && (st.st_mode & 077)) {
		close(fd);
		return lc_fail(err, -EPERM, "%s: a secrets file must be readable by its owner only (chmod 600 %s); it is %03o",
			       path, path, (unsigned int)(st.st_mode & 0777));
	}
	if (private && st.st_uid != geteuid()) {
		close(fd);
		return lc_fail(err, -EPERM, "%s: a secrets file must belong to the user reading it (uid %u), not uid %u",
			       path, (unsigned int)geteuid(), (unsigned int)st.st_uid);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return lc_fail(err, -EFBIG, "%s: larger than %zu bytes", path, max);
	}
	*buf = lc_xcalloc(max + 1, 1);
	while (got <= max && (n = read(fd, *buf + got, max + 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got > max) {
		free(*buf);
		*buf = NULL;
		return lc_fail(err, -EFBIG, "%s: larger than %zu bytes", path, max);
	}
	*len = got;
	return 0;
}

/* The secrets file: NAME: SECRET lines (a flat YAML mapping) */
static int load_secrets(struct parse *ps, const char *path)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	char *buf;
	size_t len;
	int ret;

	ret = read_small_file(path, 1 << 20, true, &buf, &len, ps->err);
	if (ret)
		return ret;
	ret = prescan(buf, len, ps->err);
	if (!ret && !yaml_parser_initialize(&parser))
		ret = lc_fail(ps->err, -ENOMEM, "cannot start the YAML parser");
	if (ret)
		goto out;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		/* never echo the file's text: it holds secrets */
		ret = lc_fail(ps->err, -EINVAL, "%s: line %d: not valid YAML", path,
			      (int)parser.problem_mark.line + 1);
		yaml_parser_delete(&parser);
		goto out;
	}
	yaml_parser_delete(&parser);
	root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE)
		ret = lc_fail(ps->err, -EINVAL, "%s: must map secret names to secrets (name: secret lines)", path);
	for (p = root ? root->data.mapping.pairs.start : NULL; !ret && p && p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		const char *ks, *vs;

		if (!k || !v || k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE) {
			ret = lc_fail(ps->err, -EINVAL, "%s: line %d: each line is name: secret", path,
				      k ? (int)k->start_mark.line + 1 : 0);
			break;
		}
		ks = (const char *)k->data.scalar.value;
		vs = (const char *)v->data.scalar.value;
		if (!lc_safe_component(ks, 64)) {
			ret = lc_fail(ps->err, -EINVAL, "%s: line %d: a secret's name is 1-64 letters, digits, . _ : -",
				      path, (int)k->start_mark.line + 1);
		} else if (strlen(vs) != v->data.scalar.length || !valid_chap_text(vs, 12, 255)) {
			ret = lc_fail(ps->err, -EINVAL, "%s: line %d: secret '%s' must be 12-255 printable characters without spaces (iSCSI CHAP)",
				      path, (int)k->start_mark.line + 1, ks);
		} else if (lc_map_get(&ps->secrets, ks)) {
			ret = lc_fail(ps->err, -EINVAL, "%s: line %d: secret '%s' given twice", path,
				      (int)k->start_mark.line + 1, ks);
		} else {
			lc_map_put(&ps->secrets, lc_xstrdup(ks), lc_xstrdup(vs));
		}
	}
	yaml_document_delete(&doc);
	ps->have_secrets = !ret;
out:
	memset(buf, 0, len);
	free(buf);
	return ret;
}

int lc_cluster_load(const char *path, const char *secrets, struct lc_cluster **out,
		    struct lc_error *err)
{
	struct parse ps = { .err = err };
	char *buf;
	size_t n;
	int ret;

	*out = NULL;
	ret = read_small_file(path, LC_MAX_FILE, false, &buf, &n, err);
	if (ret)
		return ret;
	if (secrets)
		ret = load_secrets(&ps, secrets);
	if (!ret) {
		ret = parse_buffer(&ps, buf, n, out);
		if (ret && err) {
			char msg[LC_ERROR_LEN];

			snprintf(msg, sizeof(msg), "%.200s: %.800s", path, err->msg);
			memcpy(err->msg, msg, sizeof(msg));
		}
	}
	secrets_free(&ps);
	free(buf);
	return ret;
}

int lc_cluster_parse_unresolved(const char *buf, size_t len, struct lc_cluster **out,
				struct lc_error *err)
{
	struct parse ps = { .err = err, .unresolved = true };

	return parse_buffer(&ps, buf, len, out);
}

int lc_cluster_load_unresolved(const char *path, struct lc_cluster **out, struct lc_error *err)
{
	struct parse ps = { .err = err, .unresolved = true };
	char *buf;
	size_t n;
	int ret;

	*out = NULL;
	ret = read_small_file(path, LC_MAX_FILE, false, &buf, &n, err);
	if (ret)
		return ret;
	ret = parse_buffer(&ps, buf, n, out);
	if (ret && err) {
		char msg[LC_ERROR_LEN];

		snprintf(msg, sizeof(msg), "%.200s: %.800s", path, err->msg);
		memcpy(err->msg, msg, sizeof(msg));
	}
	free(buf);
	return ret;
}

static void kvs_free(struct lc_kvs *k)
{
	lc_kvs_free(k);
}

void lc_kvs_free(struct lc_kvs *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->v[i].key);
		free(k->v[i].value);
	}
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

void lc_cluster_free(struct lc_cluster *c)
{
	size_t i, j;

	if (!c)
		return;
	free(c->name);
	for (i = 0; i < c->nnodes; i++)
		free(c->nodes[i]);
	free(c->nodes);
	for (i = 0; i < c->ndevices; i++) {
		struct lc_device *d = &c->devices[i];

		free(d->name);
		free(d->path);
		free(d->serial);
		for (j = 0; j < d->npaths; j++) {
			free(d->paths[j].node);
			free(d->paths[j].path);
		}
		free(d->paths);
		free(d->hba);
		for (j = 0; j < d->nhbas; j++) {
			free(d->hbas[j].node);
			free(d->hbas[j].path);
		}
		free(d->hbas);
		kvs_free(&d->attrib);
	}
	free(c->devices);
	for (i = 0; i < c->ngroups; i++)
		free(c->groups[i].name);
	free(c->groups);
	for (i = 0; i < c->nports; i++) {
		struct lc_port *p = &c->ports[i];

		free(p->label);
		free(p->node);
		free(p->wwn);
		free(p->group);
		free(p->nexus);
		for (j = 0; j < p->nportals; j++)
			free(p->portals[j]);
		free(p->portals);
		kvs_free(&p->attrib);
		kvs_free(&p->param);
	}
	free(c->ports);
	for (i = 0; i < c->nluns; i++)
		free(c->luns[i].device);
	free(c->luns);
	for (i = 0; i < c->nacls; i++) {
		struct lc_acl *a = &c->acls[i];

		free(a->initiator);
		free(a->luns);
		for (j = 0; j < a->nports; j++)
			free(a->ports[j]);
		free(a->ports);
		kvs_free(&a->attrib);
		chap_free(&a->chap);
		chap_free(&a->mutual);
	}
	free(c->acls);
	chap_free(&c->discovery);
	chap_free(&c->discovery_mutual);
	lc_map_free(&c->device_by_name);
	lc_map_free(&c->group_by_name);
	lc_map_free(&c->port_by_label);
	free(c);
}

const char *lc_cluster_name(const struct lc_cluster *c)
{
	return c->name;
}

size_t lc_cluster_node_count(const struct lc_cluster *c)
{
	return c->nnodes;
}

const char *lc_cluster_node(const struct lc_cluster *c, size_t i)
{
	return i < c->nnodes ? c->nodes[i] : NULL;
}

size_t lc_cluster_port_count(const struct lc_cluster *c)
{
	return c->nports;
}

void lc_cluster_port(const struct lc_cluster *c, size_t i, const char **label,
		     const char **node, const char **group, unsigned int *rtpi,
		     bool *explicit_rtpi)
{
	const struct lc_port *p = &c->ports[i];

	*label = p->label;
	*node = p->node;
	*group = p->group;
	*rtpi = p->rtpi;
	*explicit_rtpi = p->rtpi_explicit;
}

size_t lc_cluster_group_count(const struct lc_cluster *c)
{
	return c->ngroups;
}

const char *lc_cluster_group(const struct lc_cluster *c, size_t i)
{
	return i < c->ngroups ? c->groups[i].name : NULL;
}

bool lc_cluster_node_in_group(const struct lc_cluster *c, const char *node, const char *group)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		if (!strcmp(c->ports[i].node, node) && !strcmp(c->ports[i].group, group))
			return true;
	return false;
}

bool lc_cluster_has_remote(const struct lc_cluster *c, const char *node)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		if (strcmp(c->ports[i].node, node))
			return true;
	return false;
}

bool lc_cluster_has_node(const struct lc_cluster *c, const char *node)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (!strcmp(c->nodes[i], node))
			return true;
	return false;
}

const struct lc_device *lc_find_device(const struct lc_cluster *c, const char *name)
{
	return lc_map_get(&c->device_by_name, name);
}

const struct lc_group *lc_find_group(const struct lc_cluster *c, const char *name)
{
	return lc_map_get(&c->group_by_name, name);
}

const char *lc_device_path(const struct lc_device *d, const char *node)
{
	size_t i;

	for (i = 0; i < d->npaths; i++)
		if (!strcmp(d->paths[i].node, node))
			return d->paths[i].path;
	return d->path;
}

bool lc_acl_maps(const struct lc_acl *a, unsigned int lun)
{
	size_t i;

	if (!a->luns)
		return true;
	for (i = 0; i < a->nluns; i++)
		if (a->luns[i] == lun)
			return true;
	return false;
}

/* An ACL goes to the ports it names, or to every port whose fabric takes
 * its kind of initiator name */
bool lc_acl_on_port(const struct lc_acl *a, const struct lc_port *p)
{
	size_t i;

	if (a->ports) {
		for (i = 0; i < a->nports; i++)
			if (!strcmp(a->ports[i], p->label))
				return true;
		return false;
	}
	if (p->fabric == LC_LOOPBACK)
		return a->kind == LC_NAME_NAA;
	return lc_fabric_takes(p->fabric, a->kind);
}

/* The description's own checks, for what import reads */
bool lc_desc_valid_path(const char *p)
{
	return valid_path(p);
}

char *lc_desc_portal(const char *s)
{
	return canonical_portal(s);
}

bool lc_desc_valid_secret(const char *s)
{
	return valid_chap_text(s, 12, 255);
}

bool lc_desc_valid_userid(const char *s)
{
	return valid_chap_text(s, 1, 255);
}

const char *lc_backstore_plugin(enum lc_backstore b)
{
	switch (b) {
	case LC_RD_MCP:
		return "rd_mcp";
	case LC_FILEIO:
		return "fileio";
	case LC_IBLOCK:
		return "iblock";
	case LC_BACKSTORES:
		break;
	}
	return "?";
}
