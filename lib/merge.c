// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: descriptions written back.  A cluster as a document (maps,
 * lists and scalars in the order a description is written, for the CLI to
 * print as YAML), and merge: several nodes' imports as one cluster.
 *
 * Merge takes the nodes of every input (each node once), the devices every
 * input has (equal backstore, size, serial, company_id and attributes; the
 * per-node paths and HBAs folded into paths: and hba:), the ALUA groups
 * (one id per name, equal settings), every port, the LUNs (equal in every
 * input), the ACLs (one per initiator with equal LUNs, attributes and CHAP;
 * their ports the union of where each input has them) and discovery
 * authentication (equal where a node has iSCSI ports).  Anything else is a
 * conflict, refused with the objects named.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* --- the document ------------------------------------------------------------------------ */

static struct lc_doc *doc_new(enum lc_doc_kind kind, const char *key)
{
	struct lc_doc *d = lc_xcalloc(1, sizeof(*d));

	d->kind = kind;
	d->key = key ? lc_xstrdup(key) : NULL;
	return d;
}

static struct lc_doc *doc_add(struct lc_doc *parent, struct lc_doc *child)
{
	parent->items = lc_xrealloc(parent->items, parent->n + 1, sizeof(*parent->items));
	parent->items[parent->n++] = child;
	return child;
}

static void text(struct lc_doc *m, const char *key, const char *v)
{
	doc_add(m, doc_new(LC_DOC_SCALAR, key))->value = lc_xstrdup(v);
}

static void plain(struct lc_doc *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void plain(struct lc_doc *m, const char *key, const char *fmt, ...)
{
	struct lc_doc *d = doc_add(m, doc_new(LC_DOC_SCALAR, key));
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&d->value, fmt, ap) < 0)
		d->value = NULL;
	va_end(ap);
	if (!d->value)
		d->value = lc_xstrdup("");
	d->plain = true;
}

static struct lc_doc *sub(struct lc_doc *parent, enum lc_doc_kind kind, const char *key, bool flow)
{
	struct lc_doc *d = doc_add(parent, doc_new(kind, key));

	d->flow = flow;
	return d;
}

void lc_doc_free(struct lc_doc *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		lc_doc_free(d->items[i]);
	free(d->items);
	free(d->key);
	free(d->value);
	free(d);
}

/* A name as the description writes it: FC WWPNs 21:00:..., others canonical */
static char *name_text(const char *canon, enum lc_name_kind kind)
{
	return lc_name_for_fabric(canon, kind, false);
}

static char *size_text(uint64_t b)
{
	static const struct { int shift; char unit; } units[] = {
		{ 40, 'T' }, { 30, 'G' }, { 20, 'M' }, { 10, 'K' },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (b && !(b & ((1ULL << units[i].shift) - 1)))
			return lc_xasprintf("%llu%c", (unsigned long long)(b >> units[i].shift),
					    units[i].unit);
	return lc_xasprintf("%llu", (unsigned long long)b);
}

static void attributes(struct lc_doc *m, const char *key, const struct lc_kvs *kv)
{
	struct lc_doc *a;
	size_t i;

	if (!kv->n)
		return;
	a = sub(m, LC_DOC_MAP, key, false);
	for (i = 0; i < kv->n; i++) {
		unsigned long long v;

		/* a plain number reads the same to anyone */
		if (!lc_parse_uint(kv->v[i].value, 0, ULLONG_MAX, false, &v))
			plain(a, kv->v[i].key, "%s", kv->v[i].value);
		else
			text(a, kv->v[i].key, kv->v[i].value);
	}
}

static void chap(struct lc_doc *m, const char *key, const struct lc_chap *ch)
{
	struct lc_doc *c;

	if (!ch->userid)
		return;
	c = sub(m, LC_DOC_MAP, key, false);
	text(c, "userid", ch->userid);
	text(c, "secret", ch->secret_name);
}

static void node_map(struct lc_doc *m, const char *key, const struct lc_node_path *np, size_t n)
{
	struct lc_doc *p;
	size_t i;

	if (!n)
		return;
	p = sub(m, LC_DOC_MAP, key, false);
	for (i = 0; i < n; i++)
		text(p, np[i].node, np[i].path);
}

static void device_doc(struct lc_doc *list, const struct lc_device *d)
{
	struct lc_doc *m = sub(list, LC_DOC_MAP, NULL, false);

	text(m, "name", d->name);
	plain(m, "backstore", "%s", lc_backstore_plugin(d->backstore));
	if (d->backstore != LC_IBLOCK) {
		char *s = size_text(d->size);

		plain(m, "size", "%s", s);
		free(s);
	}
	if (d->path)
		text(m, "path", d->path);
	node_map(m, "paths", d->paths, d->npaths);
	if (d->hba)
		text(m, "hba", d->hba);
	node_map(m, "hba", d->hbas, d->nhbas);
	text(m, "serial", d->serial);
	if (d->company_id >= 0)
		plain(m, "company_id", "0x%06lx", d->company_id);
	attributes(m, "attributes", &d->attrib);
}

static void port_doc(struct lc_doc *list, const struct lc_port *p)
{
	struct lc_doc *m = sub(list, LC_DOC_MAP, NULL, false), *l;
	char *w = name_text(p->wwn, p->kind);
	size_t i;

	text(m, "name", p->label);
	text(m, "node", p->node);
	plain(m, "fabric", "%s", p->fabric == LC_ISCSI ? "iscsi" : p->fabric == LC_FC ? "fc" : "loopback");
	text(m, "wwn", w);
	free(w);
	plain(m, "tpg", "%u", p->tag);
	if (p->rtpi_explicit)
		plain(m, "rtpi", "%u", p->rtpi);
	text(m, "group", p->group);
	if (p->nportals) {
		l = sub(m, LC_DOC_LIST, "portals", true);
		for (i = 0; i < p->nportals; i++)
			text(l, NULL, p->portals[i]);
	}
	if (p->nexus)
		text(m, "nexus", p->nexus);
	attributes(m, "attributes", &p->attrib);
	attributes(m, "parameters", &p->param);
}

static void acl_doc(struct lc_doc *list, const struct lc_acl *a)
{
	struct lc_doc *m = sub(list, LC_DOC_MAP, NULL, false), *l;
	char *w = name_text(a->initiator, a->kind);
	size_t i;

	text(m, "initiator", w);
	free(w);
	if (a->luns) {
		l = sub(m, LC_DOC_LIST, "luns", true);
		for (i = 0; i < a->nluns; i++)
			plain(l, NULL, "%u", a->luns[i]);
	}
	if (a->ports) {
		l = sub(m, LC_DOC_LIST, "ports", true);
		for (i = 0; i < a->nports; i++)
			text(l, NULL, a->ports[i]);
	}
	attributes(m, "attributes", &a->attrib);
	chap(m, "chap", &a->chap);
	chap(m, "mutual_chap", &a->mutual);
}

struct lc_doc *lc_cluster_doc(const struct lc_cluster *c)
{
	struct lc_doc *root = doc_new(LC_DOC_MAP, NULL), *l, *m;
	size_t i;

	text(root, "cluster", c->name);
	if (c->hba_index != 42)
		plain(root, "hba_index", "%u", c->hba_index);
	l = sub(root, LC_DOC_LIST, "nodes", false);
	for (i = 0; i < c->nnodes; i++)
		text(sub(l, LC_DOC_MAP, NULL, false), "name", c->nodes[i]);
	l = sub(root, LC_DOC_LIST, "devices", false);
	for (i = 0; i < c->ndevices; i++)
		device_doc(l, &c->devices[i]);
	if (c->ngroups) {
		l = sub(root, LC_DOC_LIST, "alua_groups", false);
		for (i = 0; i < c->ngroups; i++) {
			const struct lc_group *g = &c->groups[i];

			m = sub(l, LC_DOC_MAP, NULL, false);
			text(m, "name", g->name);
			plain(m, "id", "%u", g->id);
			plain(m, "state", "%s", lc_state_name(g->state));
			if (g->preferred)
				plain(m, "preferred", "true");
			if (g->transition_secs >= 0)
				plain(m, "transition_time", "%d", g->transition_secs);
			if (g->access_type == 3)
				plain(m, "access", "both");
		}
	}
	l = sub(root, LC_DOC_LIST, "ports", false);
	for (i = 0; i < c->nports; i++)
		port_doc(l, &c->ports[i]);
	l = sub(root, LC_DOC_LIST, "luns", false);
	for (i = 0; i < c->nluns; i++) {
		m = sub(l, LC_DOC_MAP, NULL, false);
		plain(m, "lun", "%u", c->luns[i].lun);
		text(m, "device", c->luns[i].device);
	}
	if (c->nacls) {
		l = sub(root, LC_DOC_LIST, "acls", false);
		for (i = 0; i < c->nacls; i++)
			acl_doc(l, &c->acls[i]);
	}
	if (c->discovery.userid || c->discovery_enforce) {
		m = sub(root, LC_DOC_MAP, "discovery_auth", false);
		plain(m, "enforce", "%s", c->discovery_enforce ? "true" : "false");
		chap(m, "chap", &c->discovery);
		chap(m, "mutual_chap", &c->discovery_mutual);
	}
	return root;
}

/* --- merge --------------------------------------------------------------------------------- */

struct merge {
	struct lc_cluster **in;
	const char *const *paths;
	size_t n;
	struct lc_cluster *m;
	struct lc_error *err;
	int ret;
};

static int conflict(struct merge *mg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int conflict(struct merge *mg, const char *fmt, ...)
{
	char msg[LC_ERROR_LEN - 32];
	va_list ap;

	if (mg->ret)
		return mg->ret;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mg->ret = lc_fail(mg->err, -EINVAL, "cannot merge: %s", msg);
	return mg->ret;
}

static void kvs_copy(struct lc_kvs *to, const struct lc_kvs *from)
{
	size_t i;

	to->v = lc_xcalloc(from->n, sizeof(*to->v));
	for (i = 0; i < from->n; i++) {
		to->v[i].key = lc_xstrdup(from->v[i].key);
		to->v[i].value = lc_xstrdup(from->v[i].value);
	}
	to->n = from->n;
}

static bool kvs_same(const struct lc_kvs *a, const struct lc_kvs *b)
{
	size_t i, j;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && strcmp(a->v[i].key, b->v[j].key); j++)
			;
		if (j == b->n || strcmp(a->v[i].value, b->v[j].value))
			return false;
	}
	return true;
}

static char *dup_or_null(const char *s)
{
	return s ? lc_xstrdup(s) : NULL;
}

static void chap_copy(struct lc_chap *to, const struct lc_chap *from)
{
	to->userid = dup_or_null(from->userid);
	to->secret_name = dup_or_null(from->secret_name);
	to->secret = dup_or_null(from->secret);
}

static bool chap_same(const struct lc_chap *a, const struct lc_chap *b)
{
	if (!a->userid || !b->userid)
		return !a->userid && !b->userid;
	return !strcmp(a->userid, b->userid) && !strcmp(a->secret_name, b->secret_name);
}

static const char *chap_text(const struct lc_chap *ch)
{
	return ch->userid ? ch->userid : "none";
}

static void add_node_value(struct lc_node_path **v, size_t *n, const char *node, const char *s)
{
	*v = lc_xrealloc(*v, *n + 1, sizeof(**v));
	(*v)[*n].node = lc_xstrdup(node);
	(*v)[(*n)++].path = lc_xstrdup(s);
}

static void merge_nodes(struct merge *mg)
{
	struct lc_map seen = { 0 };
	size_t i, j, total = 0;

	for (i = 0; i < mg->n; i++)
		total += mg->in[i]->nnodes;
	mg->m->nodes = lc_xcalloc(total, sizeof(char *));
	for (i = 0; i < mg->n && !mg->ret; i++) {
		for (j = 0; j < mg->in[i]->nnodes; j++) {
			const char *nd = mg->in[i]->nodes[j];
			const char *other = lc_map_get(&seen, nd);

			if (other) {
				conflict(mg, "node %s is in %s and in %s; merge each node's import once",
					 nd, other, mg->paths[i]);
				break;
			}
			lc_map_put(&seen, nd, (void *)mg->paths[i]);
			mg->m->nodes[mg->m->nnodes++] = lc_xstrdup(nd);
		}
	}
	if (!mg->ret && mg->m->nnodes > LC_MAX_NODES)
		conflict(mg, "%zu nodes; a cluster has at most %d", mg->m->nnodes, LC_MAX_NODES);
	lc_map_free(&seen);
}

/* The value every node has (NULL when they differ); per-node values in V */
static const char *common(const struct lc_node_path *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(v[i].path, v[0].path))
			return NULL;
	return n ? v[0].path : NULL;
}

static void merge_device(struct merge *mg, const struct lc_device *d0, struct lc_device *out)
{
	struct lc_node_path *paths = NULL, *hbas = NULL;
	size_t npaths = 0, nhbas = 0, i, j;
	const char *same;
	char *dflt;

	out->name = lc_xstrdup(d0->name);
	out->backstore = d0->backstore;
	out->size = d0->size;
	out->serial = lc_xstrdup(d0->serial);
	out->company_id = d0->company_id;
	kvs_copy(&out->attrib, &d0->attrib);
	for (i = 0; i < mg->n && !mg->ret; i++) {
		const struct lc_cluster *c = mg->in[i];
		const struct lc_device *d = lc_find_device(c, d0->name);

		if (!d) {
			conflict(mg, "device %s is in %s, not in %s: a cluster has every device on every node",
				 d0->name, mg->paths[0], mg->paths[i]);
			break;
		}
		if (d->backstore != d0->backstore || d->size != d0->size ||
		    strcmp(d->serial, d0->serial) || d->company_id != d0->company_id) {
			conflict(mg, "device %s differs between %s (%s, %llu bytes, serial %s) and %s (%s, %llu bytes, serial %s): a cluster's devices are the same LU on every node",
				 d0->name, mg->paths[0], lc_backstore_plugin(d0->backstore),
				 (unsigned long long)d0->size, d0->serial, mg->paths[i],
				 lc_backstore_plugin(d->backstore), (unsigned long long)d->size, d->serial);
			break;
		}
		if (!kvs_same(&d->attrib, &d0->attrib)) {
			conflict(mg, "device %s has other attributes in %s than in %s: they shape what initiators see and must be equal on every node",
				 d0->name, mg->paths[i], mg->paths[0]);
			break;
		}
		for (j = 0; j < c->nnodes; j++) {
			char *h = lc_hba_name(c, d, c->nodes[j]);

			if (d->backstore != LC_RD_MCP)
				add_node_value(&paths, &npaths, c->nodes[j], lc_device_path(d, c->nodes[j]));
			add_node_value(&hbas, &nhbas, c->nodes[j], h);
			free(h);
		}
	}
	/* paths: the first node's as path, the others' where they differ */
	if (!mg->ret && npaths) {
		out->path = lc_xstrdup(paths[0].path);
		for (i = 1; i < npaths; i++)
			if (strcmp(paths[i].path, out->path))
				add_node_value(&out->paths, &out->npaths, paths[i].node, paths[i].path);
	}
	/* hba: one name, or one per node */
	dflt = lc_xasprintf("%s_%u", lc_backstore_plugin(d0->backstore), mg->m->hba_index);
	same = common(hbas, nhbas);
	if (!mg->ret && same && strcmp(same, dflt))
		out->hba = lc_xstrdup(same);
	for (i = 0; !mg->ret && !same && i < nhbas; i++)
		add_node_value(&out->hbas, &out->nhbas, hbas[i].node, hbas[i].path);
	free(dflt);
	for (i = 0; i < npaths; i++) {
		free(paths[i].node);
		free(paths[i].path);
	}
	for (i = 0; i < nhbas; i++) {
		free(hbas[i].node);
		free(hbas[i].path);
	}
	free(paths);
	free(hbas);
}

static void merge_devices(struct merge *mg)
{
	const struct lc_cluster *c0 = mg->in[0];
	size_t i, j;

	mg->m->devices = lc_xcalloc(c0->ndevices, sizeof(*mg->m->devices));
	for (i = 0; i < c0->ndevices && !mg->ret; i++) {
		mg->m->devices[i].company_id = -1;
		mg->m->ndevices++;
		merge_device(mg, &c0->devices[i], &mg->m->devices[i]);
	}
	for (i = 1; i < mg->n && !mg->ret; i++)
		for (j = 0; j < mg->in[i]->ndevices && !mg->ret; j++)
			if (!lc_find_device(c0, mg->in[i]->devices[j].name))
				conflict(mg, "device %s is in %s, not in %s: a cluster has every device on every node",
					 mg->in[i]->devices[j].name, mg->paths[i], mg->paths[0]);
}

static void merge_groups(struct merge *mg)
{
	struct lc_map by_name = { 0 }, by_id = { 0 };
	char (*idkeys)[8];
	size_t i, j, total = 0;

	for (i = 0; i < mg->n; i++)
		total += mg->in[i]->ngroups;
	mg->m->groups = lc_xcalloc(total, sizeof(*mg->m->groups));
	idkeys = lc_xcalloc(total + 1, sizeof(*idkeys));
	for (i = 0; i < mg->n && !mg->ret; i++) {
		for (j = 0; j < mg->in[i]->ngroups && !mg->ret; j++) {
			const struct lc_group *g = &mg->in[i]->groups[j];
			const struct lc_group *o = lc_map_get(&by_name, g->name);
			struct lc_group *ng;

			if (o) {
				if (o->id != g->id || o->state != g->state || o->access_type != g->access_type ||
				    o->preferred != g->preferred || o->transition_secs != g->transition_secs)
					conflict(mg, "ALUA group %s differs between the imports (id %u, %s in one; id %u, %s in %s): a group is the same on every node",
						 g->name, o->id, lc_state_name(o->state), g->id,
						 lc_state_name(g->state), mg->paths[i]);
				continue;
			}
			snprintf(idkeys[mg->m->ngroups], sizeof(idkeys[0]), "%u", g->id);
			o = lc_map_get(&by_id, idkeys[mg->m->ngroups]);
			if (o) {
				conflict(mg, "ALUA groups %s and %s both have id %u (%s): initiators tell groups apart by id; give one another id on its node and import again",
					 o->name, g->name, g->id, mg->paths[i]);
				break;
			}
			ng = &mg->m->groups[mg->m->ngroups];
			*ng = *g;
			ng->name = lc_xstrdup(g->name);
			lc_map_put(&by_id, idkeys[mg->m->ngroups], ng);
			lc_map_put(&by_name, ng->name, ng);
			mg->m->ngroups++;
		}
	}
	lc_map_free(&by_name);
	lc_map_free(&by_id);
	free(idkeys);
}

static void port_copy(struct lc_port *to, const struct lc_port *p)
{
	size_t i;

	*to = *p;
	to->label = lc_xstrdup(p->label);
	to->node = lc_xstrdup(p->node);
	to->wwn = lc_xstrdup(p->wwn);
	to->group = lc_xstrdup(p->group);
	to->nexus = dup_or_null(p->nexus);
	to->portals = lc_xcalloc(p->nportals, sizeof(char *));
	for (i = 0; i < p->nportals; i++)
		to->portals[i] = lc_xstrdup(p->portals[i]);
	kvs_copy(&to->attrib, &p->attrib);
	kvs_copy(&to->param, &p->param);
}

static void merge_ports(struct merge *mg)
{
	struct lc_map labels = { 0 };
	size_t i, j, k, total = 0;

	for (i = 0; i < mg->n; i++)
		total += mg->in[i]->nports;
	mg->m->ports = lc_xcalloc(total, sizeof(*mg->m->ports));
	for (i = 0; i < mg->n && !mg->ret; i++) {
		for (j = 0; j < mg->in[i]->nports && !mg->ret; j++) {
			const struct lc_port *p = &mg->in[i]->ports[j];
			struct lc_port *np = &mg->m->ports[mg->m->nports];

			if (lc_map_get(&labels, p->label)) {
				conflict(mg, "port name %s is in two imports (%s); rename one", p->label,
					 mg->paths[i]);
				break;
			}
			for (k = 0; k < mg->m->nports; k++) {
				const struct lc_port *o = &mg->m->ports[k];

				if (!strcmp(o->wwn, p->wwn) && strcmp(o->node, p->node))
					conflict(mg, "WWN %s is port %s on %s and port %s on %s: a WWN names one node's port",
						 p->wwn, o->label, o->node, p->label, p->node);
				else if (p->rtpi_explicit && o->rtpi_explicit && o->rtpi == p->rtpi)
					conflict(mg, "ports %s (%s) and %s (%s) both have RTPI %u: an RTPI names one port cluster-wide; on Linux 6.4+ give one another (disable its TPG, write tpgt_N/rtpi, enable it) and import again; before 6.4 see docs/import.md",
						 o->label, o->node, p->label, p->node, p->rtpi);
			}
			if (mg->ret)
				break;
			port_copy(np, p);
			lc_map_put(&labels, np->label, np);
			mg->m->nports++;
		}
	}
	lc_map_free(&labels);
	for (i = 0; i < mg->m->nports; i++)
		lc_map_put(&mg->m->port_by_label, mg->m->ports[i].label, &mg->m->ports[i]);
}

static void merge_luns(struct merge *mg)
{
	const struct lc_cluster *c0 = mg->in[0];
	size_t i, j, k;

	mg->m->luns = lc_xcalloc(c0->nluns, sizeof(*mg->m->luns));
	for (i = 0; i < c0->nluns; i++) {
		mg->m->luns[i].lun = c0->luns[i].lun;
		mg->m->luns[i].device = lc_xstrdup(c0->luns[i].device);
		mg->m->nluns++;
	}
	for (i = 1; i < mg->n && !mg->ret; i++) {
		const struct lc_cluster *c = mg->in[i];

		if (c->nluns != c0->nluns)
			conflict(mg, "%s has %zu LUNs, %s %zu: every node exports the cluster's LUNs",
				 mg->paths[0], c0->nluns, mg->paths[i], c->nluns);
		for (j = 0; j < c->nluns && !mg->ret; j++) {
			for (k = 0; k < c0->nluns && c0->luns[k].lun != c->luns[j].lun; k++)
				;
			if (k == c0->nluns || strcmp(c0->luns[k].device, c->luns[j].device))
				conflict(mg, "LUN %u is %s in %s and %s in %s: every node exports the same LUNs",
					 c->luns[j].lun, k == c0->nluns ? "missing" : c0->luns[k].device,
					 mg->paths[0], c->luns[j].device, mg->paths[i]);
		}
	}
}

/* The ports of C an ACL is on: the ones it names, or the ones its kind goes to */
static void acl_ports(const struct lc_cluster *c, const struct lc_acl *a, struct lc_map *on)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		if (lc_acl_on_port(a, &c->ports[i]))
			lc_map_put(on, c->ports[i].label, (void *)1);
}

static bool luns_same(const struct lc_cluster *c, const struct lc_acl *a, const struct lc_acl *b)
{
	size_t i;

	for (i = 0; i < c->nluns; i++)
		if (lc_acl_maps(a, c->luns[i].lun) != lc_acl_maps(b, c->luns[i].lun))
			return false;
	return true;
}

static void merge_acls(struct merge *mg)
{
	struct lc_map by_name = { 0 };
	struct lc_map *on;
	size_t i, j, k, total = 0;

	for (i = 0; i < mg->n; i++)
		total += mg->in[i]->nacls;
	mg->m->acls = lc_xcalloc(total, sizeof(*mg->m->acls));
	on = lc_xcalloc(total + 1, sizeof(*on));
	for (i = 0; i < mg->n && !mg->ret; i++) {
		for (j = 0; j < mg->in[i]->nacls && !mg->ret; j++) {
			const struct lc_acl *a = &mg->in[i]->acls[j];
			struct lc_acl *na = lc_map_get(&by_name, a->initiator);

			if (na) {
				if (!luns_same(mg->m, na, a))
					conflict(mg, "ACL %s sees other LUNs in %s than before: an initiator sees the same LUNs on every node",
						 a->initiator, mg->paths[i]);
				else if (!kvs_same(&na->attrib, &a->attrib))
					conflict(mg, "ACL %s has other attributes in %s than before", a->initiator,
						 mg->paths[i]);
				else if (!chap_same(&na->chap, &a->chap) || !chap_same(&na->mutual, &a->mutual))
					conflict(mg, "ACL %s has other CHAP in %s (userid %s, mutual %s) than before (userid %s, mutual %s)",
						 a->initiator, mg->paths[i], chap_text(&a->chap),
						 chap_text(&a->mutual), chap_text(&na->chap), chap_text(&na->mutual));
				acl_ports(mg->in[i], a, &on[na - mg->m->acls]);
				continue;
			}
			na = &mg->m->acls[mg->m->nacls];
			na->initiator = lc_xstrdup(a->initiator);
			na->kind = a->kind;
			if (a->luns) {
				na->luns = lc_xcalloc(a->nluns, sizeof(*na->luns));
				memcpy(na->luns, a->luns, a->nluns * sizeof(*na->luns));
				na->nluns = a->nluns;
			}
			kvs_copy(&na->attrib, &a->attrib);
			chap_copy(&na->chap, &a->chap);
			chap_copy(&na->mutual, &a->mutual);
			acl_ports(mg->in[i], a, &on[mg->m->nacls]);
			lc_map_put(&by_name, na->initiator, na);
			mg->m->nacls++;
		}
	}
	/* its ports: none named when they are all its kind goes to */
	for (i = 0; i < mg->m->nacls && !mg->ret; i++) {
		struct lc_acl *na = &mg->m->acls[i];
		bool dflt = true;

		for (k = 0; k < mg->m->nports; k++)
			dflt &= lc_acl_on_port(na, &mg->m->ports[k]) ==
				(lc_map_get(&on[i], mg->m->ports[k].label) != NULL);
		if (dflt)
			continue;
		na->ports = lc_xcalloc(mg->m->nports, sizeof(char *));
		for (k = 0; k < mg->m->nports; k++)
			if (lc_map_get(&on[i], mg->m->ports[k].label))
				na->ports[na->nports++] = lc_xstrdup(mg->m->ports[k].label);
	}
	for (i = 0; i < total + 1; i++)
		lc_map_free(&on[i]);
	free(on);
	lc_map_free(&by_name);
}

static bool has_iscsi(const struct lc_cluster *c)
{
	size_t i;

	for (i = 0; i < c->nports; i++)
		if (c->ports[i].fabric == LC_ISCSI)
			return true;
	return false;
}

static void merge_discovery(struct merge *mg)
{
	const struct lc_cluster *first = NULL;
	size_t i, fi = 0;

	for (i = 0; i < mg->n && !mg->ret; i++) {
		const struct lc_cluster *c = mg->in[i];

		if (!has_iscsi(c))
			continue;
		if (!first) {
			first = c;
			fi = i;
			continue;
		}
		if (c->discovery_enforce != first->discovery_enforce ||
		    !chap_same(&c->discovery, &first->discovery) ||
		    !chap_same(&c->discovery_mutual, &first->discovery_mutual))
			conflict(mg, "discovery_auth differs between %s (%s, userid %s) and %s (%s, userid %s): it is the same on every node with iSCSI ports",
				 mg->paths[fi], first->discovery_enforce ? "enforced" : "not enforced",
				 chap_text(&first->discovery), mg->paths[i],
				 c->discovery_enforce ? "enforced" : "not enforced", chap_text(&c->discovery));
	}
	if (first && !mg->ret) {
		mg->m->discovery_enforce = first->discovery_enforce;
		chap_copy(&mg->m->discovery, &first->discovery);
		chap_copy(&mg->m->discovery_mutual, &first->discovery_mutual);
	}
}

int lc_merge(const char *const *paths, size_t n, const char *cluster, struct lc_cluster **out,
	     struct lc_error *err)
{
	struct merge mg = { .paths = paths, .n = n, .err = err };
	size_t i;
	int ret = 0;

	*out = NULL;
	if (!n)
		return lc_fail(err, -EINVAL, "nothing to merge: name the imports");
	if (cluster && !lc_safe_component(cluster, 63))
		return lc_fail(err, -EINVAL, "cluster name '%.64s' must be 1-63 letters, digits, '.', '_', ':' or '-', not starting with '.' or '-'",
			       cluster);
	mg.in = lc_xcalloc(n, sizeof(*mg.in));
	for (i = 0; i < n && !ret; i++)
		ret = lc_cluster_load_unresolved(paths[i], &mg.in[i], err);
	for (i = 1; i < n && !ret && !cluster; i++)
		if (strcmp(mg.in[i]->name, mg.in[0]->name))
			ret = lc_fail(err, -EINVAL, "cannot merge: %s describes cluster %s, %s cluster %s; give --cluster NAME",
				      paths[0], mg.in[0]->name, paths[i], mg.in[i]->name);
	if (!ret) {
		mg.m = lc_xcalloc(1, sizeof(*mg.m));
		mg.m->name = lc_xstrdup(cluster ? cluster : mg.in[0]->name);
		mg.m->hba_index = mg.in[0]->hba_index;
		merge_nodes(&mg);
		if (!mg.ret)
			merge_devices(&mg);
		if (!mg.ret)
			merge_groups(&mg);
		if (!mg.ret)
			merge_ports(&mg);
		if (!mg.ret)
			merge_luns(&mg);
		if (!mg.ret)
			merge_acls(&mg);
		if (!mg.ret)
			merge_discovery(&mg);
		ret = mg.ret;
	}
	for (i = 0; i < n; i++)
		lc_cluster_free(mg.in[i]);
	free(mg.in);
	if (ret) {
		lc_cluster_free(mg.m);
		return ret;
	}
	*out = mg.m;
	return 0;
}
