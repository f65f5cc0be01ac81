// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: the cluster description, read from YAML with libyaml's
 * document loader and checked as a whole before anything is planned.
 *
 * The schema is strict: an unknown key is an error, so a typo never passes
 * silently for a default.  docs/cluster-description.md describes it.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "internal.h"

#define LC_MAX_FILE	(4 << 20)	/* a description is small; refuse huge input */

struct parse {
	yaml_document_t doc;
	struct lc_error *err;
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
	return lc_fail(ps->err, -EINVAL, "line %d: %s", node_line(n), what);
}

static yaml_node_t *get(struct parse *ps, int id)
{
	return yaml_document_get_node(&ps->doc, id);
}

/* The value of KEY in mapping N, or NULL. */
static yaml_node_t *map_get(struct parse *ps, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p;

	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = get(ps, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    !memcmp(k->data.scalar.value, key, strlen(key)))
			return get(ps, p->value);
	}
	return NULL;
}

/* Every key of mapping N must be one of KEYS (NULL-terminated). */
static int only_keys(struct parse *ps, yaml_node_t *n, const char *what,
		     const char *const *keys)
{
	yaml_node_pair_t *p;
	const char *const *k;

	if (n->type != YAML_MAPPING_NODE)
		return perr(ps, n, "%s must be a mapping", what);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = get(ps, p->key);
		bool known = false;

		if (!kn || kn->type != YAML_SCALAR_NODE)
			return perr(ps, kn, "%s: keys must be plain words", what);
		for (k = keys; *k && !known; k++)
			known = kn->data.scalar.length == strlen(*k) &&
				!memcmp(kn->data.scalar.value, *k, strlen(*k));
		if (!known)
			return perr(ps, kn, "%s: unknown key '%.*s'", what,
				    (int)(kn->data.scalar.length > 64 ? 64 : kn->data.scalar.length),
				    (const char *)kn->data.scalar.value);
		/* a key given twice is ambiguous */
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *qn = get(ps, q->key);

			if (qn && qn->type == YAML_SCALAR_NODE &&
			    qn->data.scalar.length == kn->data.scalar.length &&
			    !memcmp(qn->data.scalar.value, kn->data.scalar.value,
				    kn->data.scalar.length))
				return perr(ps, kn, "%s: key '%s' given twice", what,
					    (const char *)kn->data.scalar.value);
		}
	}
	return 0;
}

/* A name that becomes a configfs path component (see lc_safe_component) */
static int name_ok(struct parse *ps, yaml_node_t *n, const char *kind,
		   const char *name)
{
	if (lc_safe_component(name, 63))
		return 0;
	return perr(ps, n, "%s name '%.64s' must be 1-63 letters, digits, '.', '_', ':' or '-', not starting with '.' or '-'",
		    kind, name);
}

static int scalar(struct parse *ps, yaml_node_t *n, const char *what,
		  const char **out)
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

/*
 * The text of KEY in mapping MAP: *s points into the document, or is NULL
 * when an optional key is absent; *node is its node (for error lines).
 */
static int field(struct parse *ps, yaml_node_t *map, const char *key,
		 const char *what, bool required, const char **s,
		 yaml_node_t **node)
{
	yaml_node_t *n = map_get(ps, map, key);

	*s = NULL;
	if (node)
		*node = n;
	if (!n && !required)
		return 0;
	if (!n)
		return perr(ps, map, "%s: '%s' is missing", what, key);
	return scalar(ps, n, key, s);
}

static int str_field(struct parse *ps, yaml_node_t *map, const char *key,
		     const char *what, bool required, char **out)
{
	const char *s;
	int ret = field(ps, map, key, what, required, &s, NULL);

	*out = s ? lc_xstrdup(s) : NULL;
	return ret;
}

/* A word from a fixed list: the value the first matching word maps to */
struct word {
	const char *word;
	int value;
};

static int choice(struct parse *ps, yaml_node_t *map, const char *key,
		  const char *what, bool required, const struct word *words,
		  const char *expected, int *out)
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

/* A whole number in [min, max], decimal or 0x-hex. */
static int parse_uint(const char *s, unsigned long long min,
		      unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int uint_field(struct parse *ps, yaml_node_t *map, const char *key,
		      const char *what, bool required, unsigned long long min,
		      unsigned long long max, unsigned long long *out,
		      bool *given)
{
	yaml_node_t *n;
	const char *s;
	int ret = field(ps, map, key, what, required, &s, &n);

	if (given)
		*given = s != NULL;
	if (ret || !s)
		return ret;
	if (parse_uint(s, min, max, out))
		return perr(ps, n, "%s: %s must be a whole number from %llu to %llu, not '%.40s'",
			    what, key, min, max, s);
	return 0;
}

static int bool_field(struct parse *ps, yaml_node_t *map, const char *key,
		      const char *what, bool *out)
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
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K': case 'k':
		mul = 1ULL << 10; end++; break;
	case 'M': case 'm':
		mul = 1ULL << 20; end++; break;
	case 'G': case 'g':
		mul = 1ULL << 30; end++; break;
	case 'T': case 't':
		mul = 1ULL << 40; end++; break;
	}
	if (*end || v == 0 || v > (UINT64_MAX >> 1) / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

/* The list under KEY: required lists must also be non-empty */
static int seq(struct parse *ps, yaml_node_t *root, const char *key,
	       bool required, yaml_node_item_t **start, size_t *count)
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

	if (p[0] != '/' || n > 255 || strstr(p, "/../") || strstr(p, "/./"))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch <= ' ' || ch == ',' || ch == 0x7f)
			return false;
	}
	return true;
}

/* ip:port, [ipv6]:port */
static bool valid_portal(const char *s)
{
	const char *colon = strrchr(s, ':');
	unsigned long long port;
	size_t i;

	if (!colon || colon == s || parse_uint(colon + 1, 1, 65535, &port))
		return false;
	for (i = 0; s + i < colon; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isxdigit(ch) && ch != '.' && ch != ':' && ch != '[' && ch != ']')
			return false;
	}
	if (s[0] == '[')
		return colon[-1] == ']';
	return !strchr(s, '[') && !strchr(s, ']') && strchr(s, ':') == colon;
}

static int parse_nodes(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "name", NULL };
	yaml_node_item_t *it;
	size_t n, i, j;
	int ret;

	ret = seq(ps, root, "nodes", true, &it, &n);
	if (ret)
		return ret;
	if (n == 0 || n > LC_MAX_NODES)
		return perr(ps, root, "a cluster has 1 to %d nodes", LC_MAX_NODES);
	c->nodes = lc_xcalloc(n, sizeof(*c->nodes));
	for (i = 0; i < n; i++) {
		yaml_node_t *m = get(ps, it[i]);

		ret = only_keys(ps, m, "node", keys);
		if (!ret)
			ret = str_field(ps, m, "name", "node", true, &c->nodes[i]);
		if (ret)
			return ret;
		c->nnodes++;
		ret = name_ok(ps, m, "node", c->nodes[i]);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (!strcmp(c->nodes[j], c->nodes[i]))
				return perr(ps, m, "node '%s' is listed twice", c->nodes[i]);
	}
	return 0;
}

static bool is_node(const struct lc_cluster *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (!strcmp(c->nodes[i], name))
			return true;
	return false;
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
	{ "implicit", 1 }, { "explicit", 2 }, { "both", 3 }, { NULL, 0 },
};

static int parse_devices(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "name", "backstore", "size", "path",
		"paths", "serial", "company_id", NULL };
	yaml_node_item_t *it;
	size_t n, i, j;
	int ret;

	ret = seq(ps, root, "devices", true, &it, &n);
	if (ret)
		return ret;
	c->devices = lc_xcalloc(n, sizeof(*c->devices));
	for (i = 0; i < n; i++) {
		struct lc_device *d = &c->devices[i];
		yaml_node_t *m = get(ps, it[i]), *pn, *sz;
		unsigned long long v;
		bool given;
		int kind;

		d->company_id = -1;
		c->ndevices++;
		ret = only_keys(ps, m, "device", keys);
		if (!ret)
			ret = str_field(ps, m, "name", "device", true, &d->name);
		if (ret)
			return ret;
		ret = name_ok(ps, m, "device", d->name);
		if (ret)
			return ret;
		for (j = 0; j < i; j++)
			if (!strcmp(c->devices[j].name, d->name))
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
			return perr(ps, sz, "device %s: an rd_mcp size must be a multiple of 4 KiB",
				    d->name);
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
				const char *k, *v;

				ret = scalar(ps, get(ps, p->key), "a node name", &k);
				if (!ret)
					ret = scalar(ps, get(ps, p->value), "a path", &v);
				if (ret)
					return ret;
				if (!is_node(c, k))
					return perr(ps, get(ps, p->key), "device %s: paths: no node '%.64s'",
						    d->name, k);
				if (!valid_path(v))
					return perr(ps, get(ps, p->value),
						    "device %s: '%.64s' is not an absolute path without spaces or commas",
						    d->name, v);
				d->paths[d->npaths].node = lc_xstrdup(k);
				d->paths[d->npaths].path = lc_xstrdup(v);
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
					return perr(ps, m, "device %s: no path for node %s",
						    d->name, c->nodes[j]);
		}
		ret = str_field(ps, m, "serial", d->name, true, &d->serial);
		if (ret)
			return ret;
		if (!lc_safe_component(d->serial, 64))
			return perr(ps, m, "device %s: serial must be 1-64 letters, digits, '.', '_', ':' or '-'",
				    d->name);
		for (j = 0; j < i; j++)
			if (!strcmp(c->devices[j].serial, d->serial))
				return perr(ps, m, "device %s: serial %s is device %s's too",
					    d->name, d->serial, c->devices[j].name);
		ret = uint_field(ps, m, "company_id", d->name, false, 0, 0xffffff, &v, &given);
		if (ret)
			return ret;
		if (given)
			d->company_id = (long)v;
	}
	return 0;
}

static int parse_groups(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "name", "id", "state", "preferred",
		"transition_time", "access", NULL };
	yaml_node_item_t *it;
	size_t n, i, j;
	int ret;

	ret = seq(ps, root, "alua_groups", true, &it, &n);
	if (ret)
		return ret;
	c->groups = lc_xcalloc(n, sizeof(*c->groups));
	for (i = 0; i < n; i++) {
		struct lc_group *g = &c->groups[i];
		yaml_node_t *m = get(ps, it[i]), *sn;
		unsigned long long v;
		char *s = NULL;
		bool given;
		int access;

		c->ngroups++;
		g->transition_secs = -1;
		g->access_type = 1;
		ret = only_keys(ps, m, "ALUA group", keys);
		if (!ret)
			ret = str_field(ps, m, "name", "ALUA group", true, &g->name);
		if (ret)
			return ret;
		ret = name_ok(ps, m, "ALUA group", g->name);
		if (ret)
			return ret;
		if (!strcmp(g->name, "default_tg_pt_gp"))
			return perr(ps, m, "default_tg_pt_gp is target core's own group");
		ret = uint_field(ps, m, "id", g->name, true, 1, 65535, &v, NULL);
		if (ret)
			return ret;
		g->id = (unsigned int)v;
		for (j = 0; j < i; j++) {
			if (!strcmp(c->groups[j].name, g->name))
				return perr(ps, m, "ALUA group '%s' is listed twice", g->name);
			if (c->groups[j].id == g->id)
				return perr(ps, m, "ALUA groups %s and %s both have id %u",
					    c->groups[j].name, g->name, g->id);
		}
		sn = map_get(ps, m, "state");
		ret = str_field(ps, m, "state", g->name, true, &s);
		if (ret)
			return ret;
		if (lc_state_parse(s, &g->state)) {
			ret = perr(ps, sn, "ALUA group %s: state must be active/optimized, active/non-optimized, standby, unavailable or offline, not '%.40s'",
				   g->name, s);
			free(s);
			return ret;
		}
		free(s);
		ret = bool_field(ps, m, "preferred", g->name, &g->preferred);
		if (!ret)
			ret = uint_field(ps, m, "transition_time", g->name, false, 0, 255,
					 &v, &given);
		if (ret)
			return ret;
		if (given)
			g->transition_secs = (int)v;
		access = 1;
		ret = choice(ps, m, "access", g->name, false, access_types,
			     "implicit, explicit or both", &access);
		if (ret)
			return ret;
		g->access_type = (unsigned int)access;
	}
	return 0;
}

static int parse_ports(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "name", "node", "fabric", "wwn", "tpg",
		"rtpi", "group", "portals", "nexus", NULL };
	yaml_node_item_t *it;
	size_t n, i, j;
	int ret;

	ret = seq(ps, root, "ports", true, &it, &n);
	if (ret)
		return ret;
	c->ports = lc_xcalloc(n, sizeof(*c->ports));
	for (i = 0; i < n; i++) {
		struct lc_port *p = &c->ports[i];
		yaml_node_t *m = get(ps, it[i]), *pl;
		unsigned long long v;
		const char *what;
		bool given;
		int kind;

		c->nports++;
		ret = only_keys(ps, m, "port", keys);
		if (!ret)
			ret = str_field(ps, m, "name", "port", false, &p->label);
		if (!ret)
			ret = str_field(ps, m, "wwn", "port", true, &p->wwn);
		if (ret)
			return ret;
		what = p->label ? p->label : p->wwn;
		if (p->label && (ret = name_ok(ps, m, "port", p->label)))
			return ret;
		ret = str_field(ps, m, "node", what, true, &p->node);
		if (ret)
			return ret;
		if (!is_node(c, p->node))
			return perr(ps, m, "port %.64s: no node '%.64s' in 'nodes'", what, p->node);
		ret = choice(ps, m, "fabric", what, true, fabrics, "iscsi, fc or loopback", &kind);
		if (ret)
			return ret;
		p->fabric = (enum lc_fabric)kind;
		if (!lc_valid_wwn(p->fabric, p->wwn))
			return perr(ps, m, "port %.64s: '%.64s' is not a valid %s port name",
				    what, p->wwn, lc_fabric_dir(p->fabric));
		ret = uint_field(ps, m, "tpg", what, true, 0,
				 p->fabric == LC_LOOPBACK ? 31 : 65535, &v, NULL);
		if (ret)
			return ret;
		p->tag = (unsigned int)v;
		ret = uint_field(ps, m, "rtpi", what, false, 1, 65535, &v, &given);
		if (ret)
			return ret;
		p->rtpi_explicit = given;
		p->rtpi = given ? (unsigned int)v : (unsigned int)(i + 1);
		ret = str_field(ps, m, "group", what, true, &p->group);
		if (ret)
			return ret;
		if (!lc_find_group(c, p->group))
			return perr(ps, m, "port %.64s: no ALUA group '%.64s'", what, p->group);
		pl = map_get(ps, m, "portals");
		if (pl) {
			yaml_node_item_t *q;

			if (p->fabric != LC_ISCSI)
				return perr(ps, pl, "port %.64s: only iSCSI ports have portals", what);
			if (pl->type != YAML_SEQUENCE_NODE)
				return perr(ps, pl, "port %.64s: portals must be a list", what);
			p->portals = lc_xcalloc((size_t)(pl->data.sequence.items.top -
							 pl->data.sequence.items.start), sizeof(char *));
			for (q = pl->data.sequence.items.start; q < pl->data.sequence.items.top; q++) {
				const char *s;

				ret = scalar(ps, get(ps, *q), "a portal", &s);
				if (ret)
					return ret;
				if (!valid_portal(s))
					return perr(ps, get(ps, *q), "port %.64s: portal '%.64s' is not ip:port",
						    what, s);
				p->portals[p->nportals++] = lc_xstrdup(s);
			}
		}
		ret = str_field(ps, m, "nexus", what, p->fabric == LC_LOOPBACK, &p->nexus);
		if (ret)
			return ret;
		if (p->nexus && (p->fabric != LC_LOOPBACK ||
				 !lc_valid_wwn(LC_LOOPBACK, p->nexus)))
			return perr(ps, m, "port %.64s: nexus is a loopback port's naa. initiator name",
				    what);
		for (j = 0; j < i; j++) {
			const struct lc_port *o = &c->ports[j];

			if (!strcasecmp(o->wwn, p->wwn) && strcmp(o->node, p->node))
				return perr(ps, m, "port %.64s: WWN %.64s is on nodes %s and %s",
					    what, p->wwn, o->node, p->node);
			if (!strcasecmp(o->wwn, p->wwn) && o->tag == p->tag)
				return perr(ps, m, "port %.64s: %s tpg %u is listed twice",
					    what, p->wwn, p->tag);
			if (o->label && p->label && !strcmp(o->label, p->label))
				return perr(ps, m, "port name %s is used twice", p->label);
		}
	}
	/* RTPIs: one per port, cluster-wide */
	for (i = 0; i < c->nports; i++)
		for (j = 0; j < i; j++)
			if (c->ports[i].rtpi == c->ports[j].rtpi)
				return lc_fail(ps->err, -EINVAL,
					       "ports %s and %s would both have RTPI %u; give each port a different rtpi",
					       c->ports[j].wwn, c->ports[i].wwn, c->ports[i].rtpi);
	return 0;
}

static int parse_luns(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "lun", "device", NULL };
	yaml_node_item_t *it;
	size_t n, i, j;
	int ret;

	ret = seq(ps, root, "luns", true, &it, &n);
	if (ret)
		return ret;
	c->luns = lc_xcalloc(n, sizeof(*c->luns));
	for (i = 0; i < n; i++) {
		struct lc_lun *l = &c->luns[i];
		yaml_node_t *m = get(ps, it[i]);
		unsigned long long v;

		c->nluns++;
		ret = only_keys(ps, m, "LUN", keys);
		if (!ret)
			ret = uint_field(ps, m, "lun", "LUN", true, 0, 16383, &v, NULL);
		if (ret)
			return ret;
		l->lun = (unsigned int)v;
		ret = str_field(ps, m, "device", "LUN", true, &l->device);
		if (ret)
			return ret;
		if (!lc_find_device(c, l->device))
			return perr(ps, m, "LUN %u: no device '%.64s'", l->lun, l->device);
		for (j = 0; j < i; j++)
			if (c->luns[j].lun == l->lun)
				return perr(ps, m, "LUN %u is listed twice", l->lun);
	}
	return 0;
}

static int parse_acls(struct parse *ps, yaml_node_t *root, struct lc_cluster *c)
{
	static const char *const keys[] = { "initiator", "luns", NULL };
	yaml_node_item_t *it;
	size_t n, i, j, k;
	int ret;

	ret = seq(ps, root, "acls", false, &it, &n);
	if (ret)
		return ret;
	c->acls = lc_xcalloc(n, sizeof(*c->acls));
	for (i = 0; i < n; i++) {
		struct lc_acl *a = &c->acls[i];
		yaml_node_t *m = get(ps, it[i]), *ln;

		c->nacls++;
		ret = only_keys(ps, m, "ACL", keys);
		if (!ret)
			ret = str_field(ps, m, "initiator", "ACL", true, &a->initiator);
		if (ret)
			return ret;
		if (!lc_valid_initiator(a->initiator))
			return perr(ps, m, "'%.64s' is not an iqn., eui., naa. or WWPN initiator name",
				    a->initiator);
		for (j = 0; j < i; j++)
			if (!strcmp(c->acls[j].initiator, a->initiator))
				return perr(ps, m, "initiator %s is listed twice", a->initiator);
		ln = map_get(ps, m, "luns");
		if (!ln)
			continue;
		if (ln->type != YAML_SEQUENCE_NODE)
			return perr(ps, ln, "ACL %s: luns must be a list", a->initiator);
		a->luns = lc_xcalloc((size_t)(ln->data.sequence.items.top -
					      ln->data.sequence.items.start), sizeof(unsigned int));
		for (yaml_node_item_t *q = ln->data.sequence.items.start;
		     q < ln->data.sequence.items.top; q++) {
			const char *s;
			unsigned long long v;
			bool found = false;

			ret = scalar(ps, get(ps, *q), "a LUN", &s);
			if (ret)
				return ret;
			if (parse_uint(s, 0, 16383, &v))
				return perr(ps, get(ps, *q), "ACL %s: '%.20s' is not a LUN number",
					    a->initiator, s);
			for (k = 0; k < c->nluns; k++)
				found |= c->luns[k].lun == v;
			if (!found)
				return perr(ps, get(ps, *q), "ACL %s: LUN %llu is not in 'luns'",
					    a->initiator, v);
			for (k = 0; k < a->nluns; k++)
				if (a->luns[k] == v)
					return perr(ps, get(ps, *q), "ACL %s: LUN %llu is listed twice",
						    a->initiator, v);
			a->luns[a->nluns++] = (unsigned int)v;
		}
	}
	return 0;
}

static int parse_root(struct parse *ps, struct lc_cluster *c)
{
	static const char *const keys[] = { "cluster", "hba_index", "nodes",
		"devices", "alua_groups", "ports", "luns", "acls", NULL };
	yaml_node_t *root = yaml_document_get_root_node(&ps->doc);
	unsigned long long v;
	bool given;
	int ret;

	if (!root)
		return lc_fail(ps->err, -EINVAL, "the description is empty");
	ret = only_keys(ps, root, "the description", keys);
	if (!ret)
		ret = str_field(ps, root, "cluster", "the description", true, &c->name);
	if (ret)
		return ret;
	ret = name_ok(ps, root, "cluster", c->name);
	if (ret)
		return ret;
	ret = uint_field(ps, root, "hba_index", "the description", false, 0, 65535,
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
	if (!ret)
		ret = parse_luns(ps, root, c);
	if (!ret)
		ret = parse_acls(ps, root, c);
	return ret;
}

int lc_cluster_parse(const char *buf, size_t len, struct lc_cluster **out,
		     struct lc_error *err)
{
	struct parse ps = { .err = err };
	yaml_parser_t parser;
	struct lc_cluster *c;
	int ret;

	*out = NULL;
	if (len > LC_MAX_FILE)
		return lc_fail(err, -EFBIG, "the description is larger than %d bytes", LC_MAX_FILE);
	if (!yaml_parser_initialize(&parser))
		return lc_fail(err, -ENOMEM, "cannot start the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &ps.doc)) {
		ret = lc_fail(err, -EINVAL, "line %d: %s", (int)parser.problem_mark.line + 1,
			      parser.problem ? parser.problem : "not valid YAML");
		yaml_parser_delete(&parser);
		return ret;
	}
	yaml_parser_delete(&parser);
	c = lc_xcalloc(1, sizeof(*c));
	ret = parse_root(&ps, c);
	yaml_document_delete(&ps.doc);
	if (ret) {
		lc_cluster_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int lc_cluster_load(const char *path, struct lc_cluster **out,
		    struct lc_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int ret;

	*out = NULL;
	if (!f)
		return lc_fail(err, -errno, "%s: %s", path, strerror(errno));
	buf = lc_xcalloc(LC_MAX_FILE + 1, 1);
	n = fread(buf, 1, LC_MAX_FILE + 1, f);
	if (ferror(f)) {
		ret = lc_fail(err, -EIO, "%s: cannot read it", path);
	} else {
		ret = lc_cluster_parse(buf, n, out, err);
		if (ret && err) {
			char msg[LC_ERROR_LEN];

			snprintf(msg, sizeof(msg), "%.100s: %.400s", path, err->msg);
			memcpy(err->msg, msg, sizeof(msg));
		}
	}
	free(buf);
	fclose(f);
	return ret;
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
	}
	free(c->ports);
	for (i = 0; i < c->nluns; i++)
		free(c->luns[i].device);
	free(c->luns);
	for (i = 0; i < c->nacls; i++) {
		free(c->acls[i].initiator);
		free(c->acls[i].luns);
	}
	free(c->acls);
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

const struct lc_device *lc_find_device(const struct lc_cluster *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ndevices; i++)
		if (!strcmp(c->devices[i].name, name))
			return &c->devices[i];
	return NULL;
}

const struct lc_group *lc_find_group(const struct lc_cluster *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (!strcmp(c->groups[i].name, name))
			return &c->groups[i];
	return NULL;
}

const char *lc_device_path(const struct lc_device *d, const char *node)
{
	size_t i;

	for (i = 0; i < d->npaths; i++)
		if (!strcmp(d->paths[i].node, node))
			return d->paths[i].path;
	return d->path;
}
