// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: the configfs layout, the one place that knows paths and
 * names.  Paths are relative to the configfs root:
 *
 *   target/core/<plugin>_<n>/<device>/alua/<group>   (the HBA per device and node)
 *   target/<fabric>/<wwn>/tpgt_<tag>/lun/lun_<n>/<link to a device>
 *   target/<fabric>/<wwn>/tpgt_<tag>/acls/<initiator>/lun_<n>/<link to a LUN>
 *   target/<fabric>/<wwn>/tpgt_<tag>/np/<ip:port>
 *
 * Those are the objects a user makes; everything else in the tree is
 * target core's (default groups and attributes).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *lc_fabric_dir(enum lc_fabric f)
{
	switch (f) {
	case LC_ISCSI:
		return "iscsi";
	case LC_LOOPBACK:
		return "loopback";
	case LC_FC:
		return "qla2xxx";
	}
	return "?";
}

char *lc_fabric_path(enum lc_fabric f, bool remote)
{
	return lc_xasprintf("target/%s", remote ? "remote" : lc_fabric_dir(f));
}

/* The HBA a device lives in on NODE (NULL: any node): the description's
 * for that node, its own, or <plugin>_<hba_index> */
char *lc_hba_name(const struct lc_cluster *c, const struct lc_device *d, const char *node)
{
	size_t i;

	for (i = 0; node && i < d->nhbas; i++)
		if (!strcmp(d->hbas[i].node, node))
			return lc_xstrdup(d->hbas[i].path);
	if (d->hba)
		return lc_xstrdup(d->hba);
	return lc_xasprintf("%s_%u", lc_backstore_plugin(d->backstore), c->hba_index);
}

char *lc_hba_path(const struct lc_cluster *c, const struct lc_device *d, const char *node)
{
	char *h = lc_hba_name(c, d, node), *s = lc_xasprintf("target/core/%s", h);

	free(h);
	return s;
}

char *lc_dev_path(const struct lc_cluster *c, const struct lc_device *d, const char *node)
{
	char *h = lc_hba_name(c, d, node), *s = lc_xasprintf("target/core/%s/%s", h, d->name);

	free(h);
	return s;
}

char *lc_group_path(const struct lc_cluster *c, const struct lc_device *d,
		    const struct lc_group *g, const char *node)
{
	char *h = lc_hba_name(c, d, node);
	char *s = lc_xasprintf("target/core/%s/%s/alua/%s", h, d->name, g->name);

	free(h);
	return s;
}

char *lc_tpg_path(const struct lc_port *p, const char *node)
{
	bool remote = strcmp(p->node, node) != 0;
	char *w = lc_name_for_fabric(p->wwn, p->kind, remote);
	char *s = lc_xasprintf("target/%s/%s/tpgt_%u", remote ? "remote" : lc_fabric_dir(p->fabric),
			       w, p->tag);

	free(w);
	return s;
}

char *lc_control_string(const struct lc_device *d, const char *node)
{
	switch (d->backstore) {
	case LC_RD_MCP:
		return lc_xasprintf("rd_pages=%llu", (unsigned long long)(d->size / 4096));
	case LC_FILEIO:
		return lc_xasprintf("fd_dev_name=%s,fd_dev_size=%llu", lc_device_path(d, node),
				    (unsigned long long)d->size);
	case LC_IBLOCK:
		return lc_xasprintf("udev_path=%s", lc_device_path(d, node));
	case LC_BACKSTORES:
		break;
	}
	return lc_xstrdup("");
}

bool lc_lun_entry_reserved(const char *name)
{
	static const char *const taken[] = { "statistics", "alua_tg_pt_gp", "alua_tg_pt_offline",
		"alua_tg_pt_status", "alua_tg_pt_write_md", NULL };
	const char *const *t;

	for (t = taken; *t; t++)
		if (!strcmp(name, *t))
			return true;
	return false;
}

/* Split PATH into at most MAX components (pointers into a copy) */
static size_t split(const char *path, char *copy, size_t len, const char **comp, size_t max)
{
	size_t n = 0;
	char *p, *save = NULL;

	if (strlen(path) >= len)
		return 0;
	strcpy(copy, path);
	for (p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return max + 1;
		comp[n++] = p;
	}
	return n;
}

enum lc_kind lc_path_kind(const char *path)
{
	const char *c[9];
	char copy[4096];
	size_t n = split(path, copy, sizeof(copy), c, 8);

	if (n < 2 || n > 8 || strcmp(c[0], "target"))
		return LC_K_NONE;
	if (!strcmp(c[1], "core")) {
		if (n == 3)
			return strcmp(c[2], "alua") ? LC_K_HBA : LC_K_NONE;
		if (n == 4 && strcmp(c[2], "alua"))
			return LC_K_DEVICE;
		if (n == 6 && !strcmp(c[4], "alua") && strcmp(c[5], "default_tg_pt_gp"))
			return LC_K_GROUP;
		return LC_K_NONE;
	}
	if (n == 2)
		return LC_K_FABRIC;
	if (n == 3)
		return strcmp(c[2], "discovery_auth") ? LC_K_WWN : LC_K_NONE;
	if (strncmp(c[3], "tpgt_", 5))
		return LC_K_NONE;
	if (n == 4)
		return LC_K_TPG;
	if (!strcmp(c[4], "lun") && n >= 6 && !strncmp(c[5], "lun_", 4))
		return n == 6 ? LC_K_LUN : n == 7 ? LC_K_LUN_LINK : LC_K_NONE;
	if (!strcmp(c[4], "np") && n == 6)
		return LC_K_PORTAL;
	if (!strcmp(c[4], "acls") && n >= 6) {
		if (n == 6)
			return LC_K_ACL;
		if (strncmp(c[6], "lun_", 4))
			return LC_K_NONE;
		return n == 7 ? LC_K_MAPPED : LC_K_MAPPED_LINK;
	}
	return LC_K_NONE;
}

const char *lc_kind_name(enum lc_kind k)
{
	static const char *const names[] = {
		[LC_K_NONE] = "entry", [LC_K_FABRIC] = "fabric", [LC_K_HBA] = "HBA",
		[LC_K_DEVICE] = "device", [LC_K_GROUP] = "ALUA group", [LC_K_WWN] = "target",
		[LC_K_TPG] = "TPG", [LC_K_LUN] = "LUN", [LC_K_LUN_LINK] = "LUN link",
		[LC_K_ACL] = "ACL", [LC_K_MAPPED] = "mapped LUN",
		[LC_K_MAPPED_LINK] = "mapped LUN link", [LC_K_PORTAL] = "portal",
	};

	return names[k];
}

const char *const *lc_child_groups(enum lc_kind k)
{
	static const char *const device[] = { "alua", NULL };
	static const char *const tpg[] = { "lun", "acls", "np", NULL };
	static const char *const self[] = { "", NULL };
	static const char *const none[] = { NULL };

	switch (k) {
	case LC_K_DEVICE:
		return device;
	case LC_K_TPG:
		return tpg;
	case LC_K_FABRIC:
	case LC_K_HBA:
	case LC_K_WWN:
	case LC_K_LUN:
	case LC_K_ACL:
	case LC_K_MAPPED:
		return self;
	default:
		return none;
	}
}

char *lc_tpg_of(const char *path)
{
	const char *c[9];
	char copy[4096];
	size_t n = split(path, copy, sizeof(copy), c, 8);

	if (n < 4 || n > 8 || strcmp(c[0], "target") || !strcmp(c[1], "core") ||
	    strncmp(c[3], "tpgt_", 5))
		return NULL;
	return lc_xasprintf("target/%s/%s/%s", c[1], c[2], c[3]);
}

const char *const *lc_attr_groups(enum lc_kind k)
{
	static const char *const device[] = { "", "wwn", "attrib", NULL };
	static const char *const tpg[] = { "", "attrib", "param", "auth", NULL };
	static const char *const acl[] = { "", "attrib", "auth", "param", NULL };
	static const char *const self[] = { "", NULL };

	switch (k) {
	case LC_K_DEVICE:
		return device;
	case LC_K_TPG:
		return tpg;
	case LC_K_ACL:
		return acl;
	default:
		return self;
	}
}

/*
 * The order attributes are written back in when an object is made again:
 * what target core needs first (a device's control, a group's id, a TPG's
 * RTPI before it is enabled, the access type before a state), a device's
 * enable before its other attributes, a TPG's enable last.
 */
int lc_attr_priority(enum lc_kind k, const char *name)
{
	static const struct { const char *name; int prio; } order[] = {
		{ "control", 0 }, { "tg_pt_gp_id", 0 }, { "rtpi", 0 }, { "nexus", 1 },
		{ "alua_access_type", 2 }, { "alua_access_state", 7 },
		/* a state change sets the status: the status after it */
		{ "alua_access_status", 8 },
	};
	size_t i;

	if (!strcmp(name, "enable"))
		return k == LC_K_DEVICE ? 3 : 9;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(name, order[i].name))
			return order[i].prio;
	return 5;
}

/* How an attribute of that name reads, to compare it and write it back */
enum lc_cmp lc_attr_cmp(const char *name)
{
	if (!strcmp(name, "vpd_unit_serial"))
		return LC_CMP_SERIAL;
	if (!strcmp(name, "alua_tg_pt_gp") || !strcmp(name, "alua_lu_gp"))
		return LC_CMP_TG_PT_GP;
	if (!strcmp(name, "alua_access_status"))
		return LC_CMP_STATUS;
	if (!strcmp(name, "alua_access_type"))
		return LC_CMP_ACCESS;
	if (!strcmp(name, "password") || !strcmp(name, "password_mutual"))
		return LC_CMP_SECRET;
	return LC_CMP_NUMBER;	/* compared as numbers when both are, else as text */
}
