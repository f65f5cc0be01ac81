// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: the desired state of one node, a tree of objects keyed by
 * path: directories, attributes with their values, links with their
 * targets, and (kernels before 6.4) the RTPIs tcm_remote pins for local
 * ports.  Objects are added in the order the kernel needs them made:
 *
 *   0  fabric directories; iSCSI discovery authentication
 *   1  backstores: HBA, device, control, identity, enable, attributes;
 *      the ALUA groups: id first, then type, state and the rest
 *   2  the peers' ports on the remote fabric, then the node's own ports:
 *      WWN, TPG, RTPI (before any LUN is linked, before enable), nexus,
 *      attributes, LUNs (link, then group), ACLs, portals, enable last.
 *      Remote LUNs are linked before local ones, so that on kernels before
 *      6.4 the per-device counter never hands a local LUN a value a peer's
 *      port will pin (docs/rtpi.md).
 *   3  the local ports' pinned RTPIs (before 6.4), after their LUNs
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct build {
	struct lc_desired *d;
	const struct lc_cluster *c;
	const char *node;
};

/* PATH and VALUE (malloc'd) move into the tree's arena; the owner is the
 * owning object's own path where it is in the tree */
static struct lc_obj *add(struct build *b, enum lc_obj_kind kind, char *path, char *value,
			  enum lc_cmp cmp, const char *owner, unsigned int flags)
{
	struct lc_obj *o = lc_arena_alloc(&b->d->mem, sizeof(*o));
	const struct lc_obj *up = owner ? lc_map_get(&b->d->by_path, owner) : NULL;

	const struct lc_obj *target = kind == LC_OBJ_LINK ? lc_map_get(&b->d->by_path, value) : NULL;

	o->kind = kind;
	o->path = lc_arena_take(&b->d->mem, path);
	/* a link's target is an object of the tree: its path, not a copy */
	if (target) {
		free(value);
		o->value = (char *)target->path;
	} else {
		o->value = value ? lc_arena_take(&b->d->mem, value) : NULL;
	}
	o->cmp = cmp;
	o->flags = flags;
	o->owner = up ? up->path : owner ? lc_arena_str(&b->d->mem, owner) : NULL;
	lc_vec_push(&b->d->objs, o);
	lc_map_put(&b->d->by_path, o->path, o);
	return o;
}

static void dir(struct build *b, char *path, unsigned int flags)
{
	char *parent;

	if (lc_map_get(&b->d->by_path, path)) {	/* HBAs and fabrics are shared */
		free(path);
		return;
	}
	parent = lc_xstrndup(path, (size_t)(strrchr(path, '/') - path));
	add(b, LC_OBJ_DIR, path, NULL, LC_CMP_TEXT, parent, flags);
	free(parent);
}

static void attr(struct build *b, const char *owner, const char *name, char *value,
		 enum lc_cmp cmp, unsigned int flags)
{
	add(b, LC_OBJ_ATTR, lc_xasprintf("%s/%s", owner, name), value, cmp, owner, flags);
}

static void attrs(struct build *b, const char *owner, const char *group, const struct lc_kvs *kv,
		  unsigned int flags)
{
	size_t i;

	for (i = 0; i < kv->n; i++) {
		char *name = lc_xasprintf("%s/%s/%s", owner, group, kv->v[i].key);
		struct lc_obj *o = lc_map_get(&b->d->by_path, name);

		if (o) {
			/* the description's value replaces the tool's default */
			o->value = lc_arena_str(&b->d->mem, kv->v[i].value);
			free(name);
			continue;
		}
		add(b, LC_OBJ_ATTR, name, lc_xstrdup(kv->v[i].value), LC_CMP_NUMBER, owner,
		    flags | LC_OBJF_NAMED);
	}
}

static void chap(struct build *b, const char *owner, const char *group, const struct lc_chap *ch,
		 const struct lc_chap *mutual, unsigned int flags)
{
	char *g = lc_xasprintf("%s/%s", owner, group);

	if (ch->userid) {
		add(b, LC_OBJ_ATTR, lc_xasprintf("%s/userid", g), lc_xstrdup(ch->userid),
		    LC_CMP_TEXT, owner, flags);
		add(b, LC_OBJ_ATTR, lc_xasprintf("%s/password", g), lc_xstrdup(ch->secret),
		    LC_CMP_SECRET, owner, flags | LC_OBJF_SECRET);
	}
	if (mutual->userid) {
		add(b, LC_OBJ_ATTR, lc_xasprintf("%s/userid_mutual", g), lc_xstrdup(mutual->userid),
		    LC_CMP_TEXT, owner, flags);
		add(b, LC_OBJ_ATTR, lc_xasprintf("%s/password_mutual", g),
		    lc_xstrdup(mutual->secret), LC_CMP_SECRET, owner, flags | LC_OBJF_SECRET);
	}
	free(g);
}

static int wanted_state(const struct lc_state *st, const struct lc_group *g)
{
	int s = st ? lc_state_wanted(st, g->name) : -1;

	return s >= 0 ? s : g->state;
}

static void devices(struct build *b, const struct lc_state *st)
{
	const struct lc_cluster *c = b->c;
	size_t i, j;

	for (i = 0; i < c->ndevices; i++) {
		const struct lc_device *d = &c->devices[i];
		char *dev = lc_dev_path(c, d, b->node);

		dir(b, lc_hba_path(c, d, b->node), 0);
		dir(b, lc_xstrdup(dev), 0);
		attr(b, dev, "control", lc_control_string(d, b->node), LC_CMP_CONTROL,
		     LC_OBJF_RECREATE);
		if (d->backstore != LC_RD_MCP)
			attr(b, dev, "udev_path", lc_xstrdup(lc_device_path(d, b->node)),
			     LC_CMP_TEXT, 0);
		/* the unit serial names the LU in VPD 0x80/0x83: before any export */
		attr(b, dev, "wwn/vpd_unit_serial", lc_xstrdup(d->serial), LC_CMP_SERIAL, 0);
		if (d->company_id >= 0)
			attr(b, dev, "wwn/company_id", lc_xasprintf("%#lx", d->company_id),
			     LC_CMP_NUMBER, 0);
		attr(b, dev, "enable", lc_xstrdup("1"), LC_CMP_ENABLE, 0);
		attrs(b, dev, "attrib", &d->attrib, 0);
		for (j = 0; j < c->ngroups; j++) {
			const struct lc_group *g = &c->groups[j];
			char *gp = lc_group_path(c, d, g, b->node);

			dir(b, lc_xstrdup(gp), 0);
			attr(b, gp, "tg_pt_gp_id", lc_xasprintf("%u", g->id), LC_CMP_NUMBER,
			     LC_OBJF_RECREATE);
			attr(b, gp, "alua_access_type", lc_xasprintf("%u", g->access_type),
			     LC_CMP_ACCESS, 0);
			attr(b, gp, "alua_access_state", lc_xasprintf("%d", wanted_state(st, g)),
			     LC_CMP_NUMBER, LC_OBJF_STATE);
			attr(b, gp, "preferred", lc_xstrdup(g->preferred ? "1" : "0"),
			     LC_CMP_NUMBER, 0);
			if (g->transition_secs >= 0)
				attr(b, gp, "implicit_trans_secs",
				     lc_xasprintf("%d", g->transition_secs), LC_CMP_NUMBER, 0);
			free(gp);
		}
		free(dev);
	}
}

static void port(struct build *b, const struct lc_port *p)
{
	const struct lc_cluster *c = b->c;
	bool local = !strcmp(p->node, b->node);
	unsigned int fl = local ? LC_OBJF_LOCAL : 0;
	char *tpg = lc_tpg_path(p, b->node);
	bool auth = false;
	size_t j, k;

	dir(b, lc_xstrndup(tpg, (size_t)(strrchr(tpg, '/') - tpg)), fl);
	dir(b, lc_xstrdup(tpg), fl);
	if (b->d->mode == LC_RTPI_PER_TPG || !local)
		attr(b, tpg, "rtpi", lc_xasprintf("%u", p->rtpi), LC_CMP_NUMBER, fl);
	if (local && p->fabric == LC_LOOPBACK)
		/* tcm_loop scans its LUNs only once the nexus exists */
		attr(b, tpg, "nexus", lc_xstrdup(p->nexus), LC_CMP_TEXT, fl);
	for (j = 0; local && j < c->nacls; j++)
		auth |= lc_acl_on_port(&c->acls[j], p) && c->acls[j].chap.userid;
	if (local && p->fabric == LC_ISCSI) {
		attr(b, tpg, "attrib/authentication", lc_xstrdup(auth ? "1" : "0"),
		     LC_CMP_NUMBER, fl);
		attr(b, tpg, "attrib/generate_node_acls", lc_xstrdup("0"), LC_CMP_NUMBER, fl);
	}
	if (local && p->fabric == LC_FC) {
		/* explicit ACLs only: no initiator gets in by demo mode */
		attr(b, tpg, "attrib/generate_node_acls", lc_xstrdup("0"), LC_CMP_NUMBER, fl);
		attr(b, tpg, "attrib/demo_mode_write_protect", lc_xstrdup("1"), LC_CMP_NUMBER, fl);
		attr(b, tpg, "attrib/prod_mode_write_protect", lc_xstrdup("0"), LC_CMP_NUMBER, fl);
	}
	if (local) {
		attrs(b, tpg, "attrib", &p->attrib, fl);
		attrs(b, tpg, "param", &p->param, fl);
	}
	for (j = 0; j < c->nluns; j++) {
		const struct lc_lun *l = &c->luns[j];
		const struct lc_device *d = lc_find_device(c, l->device);
		char *lun = lc_xasprintf("%s/lun/lun_%u", tpg, l->lun);

		dir(b, lc_xstrdup(lun), fl);
		add(b, LC_OBJ_LINK, lc_xasprintf("%s/%s", lun, d->name), lc_dev_path(c, d, b->node),
		    LC_CMP_TEXT, lun, fl);
		attr(b, lun, "alua_tg_pt_gp", lc_xstrdup(p->group), LC_CMP_TG_PT_GP, fl);
		free(lun);
	}
	for (j = 0; j < c->nacls; j++) {
		const struct lc_acl *a = &c->acls[j];
		char *name, *acl;

		if (!lc_acl_on_port(a, p))
			continue;
		name = lc_name_for_fabric(a->initiator, a->kind, false);
		acl = lc_xasprintf("%s/acls/%s", tpg, name);
		free(name);
		dir(b, lc_xstrdup(acl), fl);
		for (k = 0; k < c->nluns; k++) {
			unsigned int n = c->luns[k].lun;
			char *m;

			if (!lc_acl_maps(a, n))
				continue;
			m = lc_xasprintf("%s/lun_%u", acl, n);
			dir(b, lc_xstrdup(m), fl);
			add(b, LC_OBJ_LINK, lc_xasprintf("%s/lun", m),
			    lc_xasprintf("%s/lun/lun_%u", tpg, n), LC_CMP_TEXT, m, fl);
			free(m);
		}
		/* the remote fabric has no ACL attributes or authentication */
		if (local) {
			attrs(b, acl, "attrib", &a->attrib, fl);
			if (p->fabric == LC_ISCSI)
				chap(b, acl, "auth", &a->chap, &a->mutual, fl);
		}
		free(acl);
	}
	if (local && p->fabric == LC_ISCSI)
		for (j = 0; j < p->nportals; j++)
			dir(b, lc_xasprintf("%s/np/%s", tpg, p->portals[j]), fl);
	if (local && (p->fabric == LC_ISCSI || p->fabric == LC_FC))
		/* last: initiators get in only once everything is there; from
		 * 6.4 enabling takes the RTPI written above */
		attr(b, tpg, "enable", lc_xstrdup("1"), LC_CMP_NUMBER, fl);
	free(tpg);
}

static void discovery(struct build *b)
{
	const struct lc_cluster *c = b->c;
	const char *owner = "target/iscsi";

	if (!c->discovery.userid && !c->discovery_enforce)
		return;
	chap(b, owner, "discovery_auth", &c->discovery, &c->discovery_mutual, LC_OBJF_LOCAL);
	add(b, LC_OBJ_ATTR, lc_xstrdup("target/iscsi/discovery_auth/enforce_discovery_auth"),
	    lc_xstrdup(c->discovery_enforce ? "1" : "0"), LC_CMP_NUMBER, owner, LC_OBJF_LOCAL);
}

int lc_desired_build(const struct lc_cluster *c, const char *node, enum lc_rtpi_mode mode,
		     const struct lc_state *st, struct lc_desired *d, struct lc_error *err)
{
	struct build b = { .d = d, .c = c, .node = node };
	bool remote = false, iscsi = false;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->c = c;
	d->node = node;
	d->mode = mode;
	if (!lc_cluster_has_node(c, node))
		return lc_fail(err, -ENOENT, "no node '%.64s' in cluster %s (nodes: %s%s)", node,
			       c->name, c->nodes[0], c->nnodes > 1 ? ", ..." : "");
	for (i = 0; i < c->nports; i++) {
		remote |= strcmp(c->ports[i].node, node) != 0;
		iscsi |= !strcmp(c->ports[i].node, node) && c->ports[i].fabric == LC_ISCSI;
	}
	/* tcm_remote reaches a device only through its own LUNs */
	d->pins = mode == LC_RTPI_PER_LUN && remote;

	if (remote)
		dir(&b, lc_xstrdup("target/remote"), 0);
	for (i = 0; i < c->nports; i++)
		if (!strcmp(c->ports[i].node, node))
			dir(&b, lc_fabric_path(c->ports[i].fabric, false), 0);
	if (iscsi)
		discovery(&b);
	devices(&b, st);
	for (i = 0; i < c->nports; i++)
		if (strcmp(c->ports[i].node, node))
			port(&b, &c->ports[i]);
	for (i = 0; i < c->nports; i++)
		if (!strcmp(c->ports[i].node, node))
			port(&b, &c->ports[i]);
	for (i = 0; d->pins && i < c->nports; i++) {
		const struct lc_port *p = &c->ports[i];
		char *tpg;

		if (strcmp(p->node, node))
			continue;
		tpg = lc_tpg_path(p, node);
		add(&b, LC_OBJ_PIN, lc_xasprintf("pin:%s", tpg), lc_xasprintf("%u", p->rtpi),
		    LC_CMP_NUMBER, tpg, LC_OBJF_LOCAL);
		free(tpg);
	}
	return 0;
}

static void obj_wipe(void *p)
{
	struct lc_obj *o = p;

	if (o->value && (o->flags & LC_OBJF_SECRET))
		memset(o->value, 0, strlen(o->value));
}

void lc_desired_free(struct lc_desired *d)
{
	lc_vec_free(&d->objs, obj_wipe);
	lc_map_free(&d->by_path);
	lc_arena_free(&d->mem);
}

const struct lc_obj *lc_desired_get(const struct lc_desired *d, const char *path)
{
	return lc_map_get(&d->by_path, path);
}

/* --- values ------------------------------------------------------------------------- */

static bool number(const char *s, unsigned long long *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s) || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static const char *after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? s : s + n;
}

/* "Implicit and Explicit" -> 3 ... as target core prints alua_access_type */
static int access_number(const char *s)
{
	if (!strcmp(s, "Implicit and Explicit"))
		return 3;
	if (!strcmp(s, "Implicit"))
		return 1;
	if (!strcmp(s, "Explicit"))
		return 2;
	if (!strcmp(s, "None"))
		return 0;
	return atoi(s);
}

/* The text after KEY up to the next white space */
static char *field_after(const char *text, const char *key)
{
	const char *p = strstr(text, key), *e;

	if (!p)
		return NULL;
	p += strlen(key);
	while (*p == ' ')
		p++;
	for (e = p; *e && !isspace((unsigned char)*e); e++)
		;
	return lc_xstrndup(p, (size_t)(e - p));
}

/*
 * A device's control string as its info attribute shows it (the backends'
 * show_configfs_dev_params): rd_mcp "PAGES/PAGE_SIZE: <pages>*<size>",
 * fileio "File: <path>  Size: <bytes>", iblock "UDEV PATH: <path>".
 * NULL when the device was never given one.
 */
char *lc_control_from_info(const char *plugin, const char *info)
{
	char *a, *b, *r = NULL;

	if (!strcmp(plugin, "rd_mcp")) {
		a = field_after(info, "PAGES/PAGE_SIZE:");
		if (a && strchr(a, '*') && atoll(a) > 0)
			r = lc_xasprintf("rd_pages=%lld", atoll(a));
		free(a);
	} else if (!strcmp(plugin, "fileio")) {
		const char *file = strstr(info, "File:");

		/* the backend's line: "File: <path>  Size: <bytes>" (the first
		 * line has a SectorSize) */
		a = file ? field_after(file, "File:") : NULL;
		b = file ? field_after(file, "  Size:") : NULL;
		if (a && b && *a && atoll(b) > 0)
			r = lc_xasprintf("fd_dev_name=%s,fd_dev_size=%s", a, b);
		free(a);
		free(b);
	} else if (!strcmp(plugin, "iblock")) {
		a = field_after(info, "UDEV PATH:");
		if (a && *a)
			r = lc_xasprintf("udev_path=%s", a);
		free(a);
	}
	return r;
}

static char *control_of(const char *live_info, const char *want)
{
	const char *plugin = !strncmp(want, "rd_pages=", 9) ? "rd_mcp" :
			     !strncmp(want, "fd_dev_name=", 12) ? "fileio" : "iblock";

	return lc_control_from_info(plugin, live_info);
}

bool lc_value_equal(enum lc_cmp cmp, const char *live, const char *want)
{
	unsigned long long a, b;
	char *x;
	bool eq;

	if (!live)
		return false;
	switch (cmp) {
	case LC_CMP_NUMBER:
	case LC_CMP_ENABLE:
		if (number(live, &a) && number(want, &b))
			return a == b;
		return !strcmp(live, want);
	case LC_CMP_SERIAL:
		return !strcmp(after(live, "T10 VPD Unit Serial Number: "), want);
	case LC_CMP_TG_PT_GP:
	case LC_CMP_ACCESS:
	case LC_CMP_STATUS:
		x = lc_value_writable(cmp, live);
		eq = !strcmp(x, want);
		free(x);
		return eq;
	case LC_CMP_CONTROL:
		x = control_of(live, want);
		eq = x && !strcmp(x, want);
		free(x);
		return eq;
	case LC_CMP_TEXT:
	case LC_CMP_SECRET:
		break;
	}
	return !strcmp(live, want);
}

char *lc_value_writable(enum lc_cmp cmp, const char *live)
{
	const char *e;

	switch (cmp) {
	case LC_CMP_SERIAL:
		return lc_xstrdup(after(live, "T10 VPD Unit Serial Number: "));
	case LC_CMP_TG_PT_GP:
		live = after(after(live, "TG Port Alias: "), "LU Group Alias: ");
		e = strchr(live, '\n');
		return lc_xstrndup(live, e ? (size_t)(e - live) : strlen(live));
	case LC_CMP_ACCESS:
		return lc_xasprintf("%d", access_number(live));
	case LC_CMP_STATUS:
		/* core_alua_dump_status */
		return lc_xstrdup(!strcmp(live, "Altered by Explicit STPG") ? "1" :
				  !strcmp(live, "Altered by Implicit ALUA") ? "2" :
				  !strcmp(live, "None") ? "0" : live);
	default:
		return lc_xstrdup(live);
	}
}
