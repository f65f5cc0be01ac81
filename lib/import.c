// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: import, the description of what a node's LIO already is
 * (what targetcli or an admin made): its devices, ALUA groups, ports, LUNs,
 * ACLs with their mapped LUNs, portals, nexus, RTPIs, attributes and CHAP
 * (secrets apart).  Applying the result on the node changes nothing.
 *
 * What the description cannot say is refused, naming the object (LUN maps
 * that differ between ports, a mapped LUN under another number than its
 * LUN, a group that differs between devices, ...).  What liocluster does
 * not manage is left out with a note (other backstores and fabrics, the
 * remote fabric: those are the peers', settings the schema has no key
 * for).  docs/import.md lists both.
 *
 * Attributes are written only where they differ from what a new object
 * gets: the value liocluster itself writes (desired.c), else the kernel's
 * default.  The defaults below were read in the kernel sources (Debian's
 * 6.1 and 6.12): target_alloc_device and target_configure_device, the
 * backends' configure_device and configure_unmap (target_core_rd.c,
 * _file.c, _iblock.c), core_alua_allocate_tg_pt_gp, iscsi_target_core.h
 * (TA_*, NA_*), iscsi_target_parameters.h (INITIAL_*), iscsit_ta_
 * authentication, tcm_qla2xxx_make_tpg.  tests/standin models the same
 * values on its own; the unit tests import a fresh stand-in and check that
 * no attribute comes out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct lc_import {
	struct lc_cluster *c;
	struct lc_vec notes;		/* char * */
	struct lc_vec names;		/* char *: secret names ... */
	struct lc_vec secrets;		/* char *: ... and secrets */
	struct lc_map secret_by_name;
};

/* --- the kernel's defaults ------------------------------------------------------------ */

struct dflt {
	const char *name;
	const char *value;	/* "=hw_x": the value of read-only hw_x */
};

/* target_alloc_device and target_configure_device (sbc_attrib_attrs) */
static const struct dflt dev_attrib[] = {
	{ "emulate_model_alias", "0" }, { "emulate_dpo", "1" }, { "emulate_fua_write", "1" },
	{ "emulate_fua_read", "1" }, { "emulate_write_cache", "0" },
	{ "emulate_ua_intlck_ctrl", "0" }, { "emulate_tas", "1" }, { "emulate_tpu", "0" },
	{ "emulate_tpws", "0" }, { "emulate_caw", "1" }, { "emulate_3pc", "1" },
	{ "emulate_pr", "1" }, { "emulate_rsoc", "1" }, { "pi_prot_type", "0" },
	{ "pi_prot_format", "0" }, { "pi_prot_verify", "0" }, { "enforce_pr_isids", "1" },
	{ "force_pr_aptpl", "0" }, { "is_nonrot", "0" }, { "emulate_rest_reord", "0" },
	{ "max_unmap_lba_count", "0" }, { "max_unmap_block_desc_count", "0" },
	{ "unmap_granularity", "0" }, { "unmap_granularity_alignment", "0" },
	{ "unmap_zeroes_data", "0" }, { "max_write_same_len", "0" }, { "alua_support", "1" },
	{ "pgr_support", "1" }, { "submit_type", "0" },
	{ "block_size", "=hw_block_size" }, { "queue_depth", "=hw_queue_depth" },
	{ "optimal_sectors", "=hw_max_sectors" },
	{ NULL, NULL },
};

/* What each backend changes when the device is enabled: rd_configure_device;
 * fd_configure_device and fd_configure_unmap for a file (a block device
 * gets its queue's limits, like iblock); iblock_configure_device without
 * write-zeroes offload.  Values that come from hardware (a queue's unmap
 * limits, is_nonrot) differ from these and are written back as they are. */
static const struct dflt rd_attrib[] = {
	{ "is_nonrot", "1" }, { NULL, NULL },
};
static const struct dflt fileio_attrib[] = {
	{ "max_unmap_lba_count", "8192" }, { "max_unmap_block_desc_count", "1" },
	{ "unmap_granularity", "1" }, { "max_write_same_len", "4096" }, { NULL, NULL },
};
static const struct dflt block_attrib[] = {
	{ "max_write_same_len", "65535" }, { NULL, NULL },
};

/* iscsi_target_core.h TA_* (iscsit_set_default_tpg_attribs); authentication
 * and generate_node_acls are what desired.c writes */
static const struct dflt iscsi_tpg_attrib[] = {
	{ "login_timeout", "15" }, { "netif_timeout", "2" }, /* 6.1 */
	{ "generate_node_acls", "0" }, { "default_cmdsn_depth", "64" },
	{ "cache_dynamic_acls", "0" }, { "demo_mode_write_protect", "1" },
	{ "prod_mode_write_protect", "0" }, { "demo_mode_discovery", "1" }, { "default_erl", "0" },
	{ "t10_pi", "0" }, { "fabric_prot_type", "0" }, { "tpg_enabled_sendtargets", "1" },
	{ "login_keys_workaround", "1" }, { NULL, NULL },
};

/* iscsi_target_parameters.h INITIAL_*; AuthMethod follows authentication
 * (iscsit_ta_authentication: "CHAP" with it, "CHAP,None" without) */
static const struct dflt iscsi_param[] = {
	{ "HeaderDigest", "CRC32C,None" }, { "DataDigest", "CRC32C,None" },
	{ "MaxConnections", "1" }, { "TargetAlias", "LIO Target" }, { "InitialR2T", "Yes" },
	{ "ImmediateData", "Yes" }, { "MaxRecvDataSegmentLength", "8192" },
	{ "MaxXmitDataSegmentLength", "262144" }, { "MaxBurstLength", "262144" },
	{ "FirstBurstLength", "65536" }, { "DefaultTime2Wait", "2" },
	{ "DefaultTime2Retain", "20" }, { "MaxOutstandingR2T", "1" }, { "DataPDUInOrder", "Yes" },
	{ "DataSequenceInOrder", "Yes" }, { "ErrorRecoveryLevel", "0" }, { "IFMarker", "No" },
	{ "OFMarker", "No" }, { "IFMarkInt", "Reject" }, { "OFMarkInt", "Reject" },
	{ NULL, NULL },
};

/* tcm_qla2xxx_make_tpg; generate_node_acls, demo_mode_write_protect and
 * prod_mode_write_protect are what desired.c writes (explicit ACLs only) */
static const struct dflt fc_tpg_attrib[] = {
	{ "generate_node_acls", "0" }, { "cache_dynamic_acls", "1" },
	{ "demo_mode_write_protect", "1" }, { "prod_mode_write_protect", "0" },
	{ "demo_mode_login_only", "1" }, { "jam_host", "0" }, { NULL, NULL },
};

/* tcm_loop_tpg_attrib_attrs */
static const struct dflt loop_tpg_attrib[] = {
	{ "fabric_prot_type", "0" }, { NULL, NULL },
};

/* iscsi_target_core.h NA_* (iscsit_set_default_node_attribues) */
static const struct dflt iscsi_acl_attrib[] = {
	{ "dataout_timeout", "3" }, { "dataout_timeout_retries", "5" }, { "default_erl", "0" },
	{ "nopin_timeout", "15" }, { "nopin_response_timeout", "30" },
	{ "random_datain_pdu_offsets", "0" }, { "random_datain_seq_offsets", "0" },
	{ "random_r2t_offsets", "0" }, { "authentication", "-1" }, { NULL, NULL },
};

/* core_alua_allocate_tg_pt_gp: what the schema has no key for */
static const struct dflt group_extra[] = {
	{ "nonop_delay_msecs", "100" }, { "trans_delay_msecs", "0" },
	{ "alua_write_metadata", "0" }, { "alua_support_transitioning", "1" },
	{ "alua_support_offline", "1" }, { "alua_support_lba_dependent", "0" },
	{ "alua_support_unavailable", "1" }, { "alua_support_standby", "1" },
	{ "alua_support_active_optimized", "1" }, { "alua_support_active_nonoptimized", "1" },
	{ NULL, NULL },
};

static const char *dflt_of(const struct dflt *t, const char *name)
{
	for (; t && t->name; t++)
		if (!strcmp(t->name, name))
			return t->value;
	return NULL;
}

/* Equal as numbers when both are, else as text */
static bool same_value(const char *a, const char *b)
{
	return lc_value_equal(LC_CMP_NUMBER, a, b);
}

/* --- the import in progress ---------------------------------------------------------- */

struct idev {
	const char *path;		/* the live device directory */
	struct lc_device d;
	size_t ngroups;
};

struct igroup {
	struct lc_group g;
	const char *first;		/* the device it was read on first */
	size_t ndevs;
};

struct ilun {
	unsigned int lun;
	const char *path;
	struct idev *dev;
	char *group;
	long rtpi;			/* as the LUN reports it, -1: none */
};

struct iport {
	struct lc_port p;
	const char *tpg;
	struct lc_vec luns;		/* struct ilun * */
	bool chap;			/* an ACL on it has CHAP */
	struct lc_kvs attrib, param;	/* live values, judged once ACLs are known */
};

struct iacl {
	struct lc_acl a;
	const char *first;		/* the ACL directory read first */
	char *lunset;			/* "0,1": its mapped LUNs on the first port */
	struct lc_vec ports;		/* struct iport * */
};

struct iacldir {			/* one ACL directory: an ACL on one port */
	struct iacl *acl;
	struct iport *port;
	const char *path;
	struct lc_vec mapped;		/* struct imapped * */
};

struct imapped {
	unsigned int lun;
	const char *path;
	bool linked;
};

struct imp {
	struct lc_ctx *ctx;
	struct lc_live live;
	enum lc_rtpi_mode mode;
	const char *node;
	struct lc_error *err;
	struct lc_import *out;
	int ret;
	struct lc_vec devs;		/* struct idev * */
	struct lc_map dev_by_path, dev_by_name;
	struct lc_map skipped;		/* device path -> why it was left out */
	struct lc_vec groups;		/* struct igroup * */
	struct lc_map group_by_name;
	struct lc_vec ports;		/* struct iport * */
	struct lc_map port_by_tpg;
	struct lc_map lun_by_path;	/* LUN directory -> struct ilun * */
	struct lc_vec acls;		/* struct iacl * */
	struct lc_map acl_by_name;
	struct lc_vec acldirs;		/* struct iacldir * */
	struct lc_map acldir_by_path;
	struct lc_map mapped_by_path;	/* mapped LUN directory -> struct imapped * */
	struct lc_map labels, noted;
	struct lc_arena mem;
	bool iscsi;
};

static void note(struct imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct imp *im, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		lc_vec_push(&im->out->notes, s);
}

/* The first reason to refuse wins; the import stops there */
static int refuse(struct imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(struct imp *im, const char *fmt, ...)
{
	char msg[LC_ERROR_LEN - 64];
	va_list ap;

	if (im->ret)
		return im->ret;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	im->ret = lc_fail(im->err, -EINVAL, "cannot describe node %s: %s", im->node, msg);
	return im->ret;
}

static const char *value(struct imp *im, const char *obj, const char *attr)
{
	char *p = lc_xasprintf("%s/%s", obj, attr);
	const char *v = lc_live_value(&im->live, p);

	free(p);
	return v;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static char *parent(const char *path)
{
	const char *s = strrchr(path, '/');

	return lc_xstrndup(path, s ? (size_t)(s - path) : 0);
}

/* The readable and writable attributes of DIR, by name */
static void writable(struct imp *im, const char *dir, struct lc_kvs *out)
{
	char *full = lc_xasprintf("%s/%s", im->ctx->root, dir);
	int dfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct lc_dirent *e;
	size_t n, i;

	free(full);
	memset(out, 0, sizeof(*out));
	if (dfd < 0)
		return;
	if (lc_list(im->ctx, dir, &e, &n)) {
		close(dfd);
		return;
	}
	out->v = lc_xcalloc(n, sizeof(*out->v));
	for (i = 0; i < n; i++) {
		struct stat st;
		char *p, *v = NULL;

		if (e[i].type != 'f' || fstatat(dfd, e[i].name, &st, 0) ||
		    (st.st_mode & (S_IRUSR | S_IWUSR)) != (S_IRUSR | S_IWUSR))
			continue;
		p = lc_xasprintf("%s/%s", dir, e[i].name);
		if (!lc_read_attr(im->ctx, p, &v)) {
			out->v[out->n].key = lc_xstrdup(e[i].name);
			out->v[out->n++].value = v;
		}
		free(p);
	}
	lc_list_free(e, n);
	close(dfd);
}

static void kvs_add(struct lc_kvs *k, const char *key, const char *val)
{
	k->v = lc_xrealloc(k->v, k->n + 1, sizeof(*k->v));
	k->v[k->n].key = lc_xstrdup(key);
	k->v[k->n++].value = lc_xstrdup(val);
}

/* The attributes of LIVE that differ from their defaults (a table and the
 * values liocluster writes, TOOL, which win), as description attributes */
static int differing(struct imp *im, const char *what, const struct lc_kvs *live,
		     const struct dflt *tool, const struct dflt *table, const struct dflt *more,
		     const char *hw_dir, struct lc_kvs *out)
{
	size_t i;

	for (i = 0; i < live->n && !im->ret; i++) {
		const char *k = live->v[i].key, *v = live->v[i].value, *d;

		d = dflt_of(tool, k);
		if (!d)
			d = dflt_of(more, k);
		if (!d)
			d = dflt_of(table, k);
		if (d && *d == '=' && hw_dir)
			d = value(im, hw_dir, d + 1);
		if (d && same_value(v, d))
			continue;
		if (!d && !*v)
			continue;	/* an unknown attribute, unset */
		if (!*v || strlen(v) > 255 || strchr(v, '\n') || v[0] == ' ')
			return refuse(im, "%s: attribute %s is '%.64s', which a description cannot hold",
				      what, k, v);
		kvs_add(out, k, v);
	}
	return im->ret;
}

/* --- devices and groups ---------------------------------------------------------------- */

static const struct { const char *plugin; enum lc_backstore b; } plugins[] = {
	{ "rd_mcp", LC_RD_MCP }, { "fileio", LC_FILEIO }, { "iblock", LC_IBLOCK },
};

static bool skip_device(struct imp *im, const char *path, char *why)
{
	note(im, "left out %s: %s", path, why);
	lc_map_put(&im->skipped, lc_arena_str(&im->mem, path), lc_arena_take(&im->mem, why));
	return true;
}

static void device(struct imp *im, const char *path)
{
	char *hba = parent(path), *control, *p;
	const char *hname = base(hba), *name = base(path), *info, *v, *us = strrchr(hname, '_');
	const struct dflt *backend = NULL;
	struct idev *id;
	struct lc_device *d;
	struct lc_kvs attrib;
	size_t i;
	int b = -1;

	for (i = 0; us && i < sizeof(plugins) / sizeof(plugins[0]); i++)
		if (strlen(plugins[i].plugin) == (size_t)(us - hname) &&
		    !strncmp(hname, plugins[i].plugin, (size_t)(us - hname)))
			b = (int)plugins[i].b;
	if (b < 0) {
		skip_device(im, path, lc_xasprintf("%.*s backstores are not in the schema (rd_mcp, fileio, iblock are)",
						   us ? (int)(us - hname) : (int)strlen(hname), hname));
		free(hba);
		return;
	}
	v = value(im, path, "enable");
	if (!v || atoi(v) != 1) {
		skip_device(im, path, lc_xstrdup("not configured (enable is 0): nothing can export it"));
		free(hba);
		return;
	}
	if (!lc_safe_component(name, 63) || lc_lun_entry_reserved(name)) {
		refuse(im, "device %s: the name '%s' is not one a description takes (1-63 letters, digits, . _ : -; not statistics or alua_tg_pt_*)",
		       path, name);
		free(hba);
		return;
	}
	if (lc_map_get(&im->dev_by_name, name)) {
		refuse(im, "devices %s and %s have the same name; a description names devices cluster-wide",
		       ((struct idev *)lc_map_get(&im->dev_by_name, name))->path, path);
		free(hba);
		return;
	}
	{
		unsigned long long n;

		if (lc_parse_uint(us + 1, 0, UINT32_MAX, false, &n)) {
			refuse(im, "device %s: its HBA '%s' is not <plugin>_<n> with n written plainly",
			       path, hname);
			free(hba);
			return;
		}
	}
	id = lc_arena_alloc(&im->mem, sizeof(*id));
	id->path = lc_arena_str(&im->mem, path);
	d = &id->d;
	d->name = lc_xstrdup(name);
	d->backstore = (enum lc_backstore)b;
	d->company_id = -1;
	/* the cluster's default HBA (hba_index 42) needs no hba: */
	p = lc_xasprintf("%s_42", lc_backstore_plugin(d->backstore));
	if (strcmp(hname, p))
		d->hba = lc_xstrdup(hname);
	free(p);
	free(hba);
	lc_vec_push(&im->devs, id);
	lc_map_put(&im->dev_by_path, id->path, id);
	lc_map_put(&im->dev_by_name, d->name, id);

	/* the backing store, as the backend's info shows it */
	info = value(im, path, "info");
	control = info ? lc_control_from_info(lc_backstore_plugin(d->backstore), info) : NULL;
	if (!control) {
		refuse(im, "device %s: its info does not show its backing store", path);
		return;
	}
	if (d->backstore == LC_RD_MCP) {
		d->size = strtoull(control + strlen("rd_pages="), NULL, 10) * 4096;
		if (strstr(info, "nullio: 1"))
			refuse(im, "device %s is an rd_mcp without memory (nullio): the schema has no such device", path);
		backend = rd_attrib;
	} else if (d->backstore == LC_FILEIO) {
		char *comma = strstr(control, ",fd_dev_size=");

		d->path = lc_xstrndup(control + strlen("fd_dev_name="),
				      (size_t)(comma - control) - strlen("fd_dev_name="));
		d->size = strtoull(comma + strlen(",fd_dev_size="), NULL, 10);
		/* on a block device the size is the device's; a description
		 * names a fileio size all the same */
		backend = strncmp(d->path, "/dev/", 5) ? fileio_attrib : block_attrib;
		if (strstr(info, "Buffered-WCE"))
			note(im, "device %s: buffered (fd_buffered_io=1) is not in the schema: kept here; made elsewhere as O_DSYNC with emulate_write_cache=1",
			     path);
		if (strstr(info, "Async: 1"))
			note(im, "device %s: async I/O (fd_async_io=1) is not in the schema: kept here, not made elsewhere",
			     path);
	} else {
		d->path = lc_xstrdup(control + strlen("udev_path="));
		backend = block_attrib;
		if (strstr(info, "readonly: 1"))
			refuse(im, "device %s is read-only (readonly=1): the schema has no read-only devices", path);
	}
	free(control);
	if (im->ret)
		return;
	if (d->path && !lc_desc_valid_path(d->path)) {
		refuse(im, "device %s: its path '%.64s' is not one a description takes (absolute, no spaces or commas)",
		       path, d->path);
		return;
	}
	if (d->size == 0 && d->backstore != LC_IBLOCK) {
		refuse(im, "device %s has size 0", path);
		return;
	}
	if (d->path) {
		v = value(im, path, "udev_path");
		if (v && !*v)
			note(im, "device %s: udev_path is empty; apply writes %s to it, as targetcli does (the only change it makes)",
			     path, d->path);
		else if (v && strcmp(v, d->path))
			refuse(im, "device %s: udev_path is '%.64s', its backing store '%.64s': liocluster writes the backing store's path there; write it (echo %s > %s/udev_path) and import again",
			       path, v, d->path, d->path, path);
	}
	/* identity */
	/* "T10 VPD Unit Serial Number: X"; the space goes with no X */
	v = value(im, path, "wwn/vpd_unit_serial");
	if (v && !strncmp(v, "T10 VPD Unit Serial Number:", 27))
		v += 27 + strspn(v + 27, " ");
	p = lc_xstrdup(v ? v : "");
	if (!*p)
		refuse(im, "device %s has no unit serial (wwn/vpd_unit_serial); the description gives every device one: write one before any LUN exports it, or export it again",
		       path);
	else if (!lc_safe_component(p, 64) || strchr(p, ':'))
		refuse(im, "device %s: its unit serial '%.64s' is not one a description takes (1-64 letters, digits, . _ -)",
		       path, p);
	d->serial = p;
	v = value(im, path, "wwn/company_id");
	if (v && !same_value(v, "0x001405"))
		d->company_id = strtol(v, NULL, 0);
	if (im->ret)
		return;
	/* attributes: the table's, the backend's, block size and queues from
	 * the device's own hw_ values */
	p = lc_xasprintf("%s/attrib", path);
	writable(im, p, &attrib);
	differing(im, path, &attrib, NULL, dev_attrib, backend, p, &d->attrib);
	lc_kvs_free(&attrib);
	free(p);
}

static int access_of(const char *v)
{
	char *w = lc_value_writable(LC_CMP_ACCESS, v);
	int r = atoi(w);

	free(w);
	return r;
}

static void group(struct imp *im, const char *path)
{
	char *devp = parent(path), *dp = parent(devp);
	struct idev *id = lc_map_get(&im->dev_by_path, dp);
	const char *name = base(path), *v;
	struct igroup *ig;
	struct lc_group g = { 0 };
	struct lc_kvs extra;
	unsigned long long n;
	size_t i;

	free(devp);
	free(dp);
	if (!id)
		return;		/* a device left out */
	id->ngroups++;
	if (!lc_safe_component(name, 63)) {
		refuse(im, "ALUA group %s: the name is not one a description takes", path);
		return;
	}
	v = value(im, path, "tg_pt_gp_id");
	if (!v || lc_parse_uint(v, 1, 65535, false, &n)) {
		refuse(im, "ALUA group %s has no id (tg_pt_gp_id): no port can join it; give it one or remove it",
		       path);
		return;
	}
	g.id = (unsigned int)n;
	v = value(im, path, "alua_access_type");
	g.access_type = v ? (unsigned int)access_of(v) : 0;
	if (g.access_type != 1 && g.access_type != 3) {
		refuse(im, "ALUA group %s: access type '%s' is not in the schema (implicit, or implicit and explicit)",
		       path, v ? v : "?");
		return;
	}
	v = value(im, path, "alua_access_state");
	g.state = v ? atoi(v) : -1;
	if (!v || !strcmp(lc_state_name(g.state), "unknown") || g.state == 15) {
		refuse(im, "ALUA group %s is in state %s, which a description does not start a group in",
		       path, v ? lc_state_name(g.state) : "?");
		return;
	}
	v = value(im, path, "preferred");
	g.preferred = v && atoi(v) == 1;
	v = value(im, path, "implicit_trans_secs");
	g.transition_secs = v && !same_value(v, "0") ? atoi(v) : -1;
	ig = lc_map_get(&im->group_by_name, name);
	if (!ig) {
		ig = lc_arena_alloc(&im->mem, sizeof(*ig));
		ig->g = g;
		ig->g.name = lc_xstrdup(name);
		ig->first = lc_arena_str(&im->mem, path);
		lc_vec_push(&im->groups, ig);
		lc_map_put(&im->group_by_name, ig->g.name, ig);
		for (i = 0; i + 1 < im->groups.n; i++) {
			const struct igroup *o = im->groups.v[i];

			if (o->g.id == g.id)
				refuse(im, "ALUA groups %s and %s both have id %u; a description gives each group its own id",
				       o->first, path, g.id);
		}
		/* what the schema has no key for: kept here only */
		writable(im, path, &extra);
		for (i = 0; i < extra.n; i++) {
			const char *d = dflt_of(group_extra, extra.v[i].key);

			if (d && !same_value(extra.v[i].value, d))
				note(im, "ALUA group %s: %s is %s, not in the schema: kept here, not made elsewhere",
				     name, extra.v[i].key, extra.v[i].value);
		}
		lc_kvs_free(&extra);
	} else if (ig->g.id != g.id || ig->g.access_type != g.access_type ||
		   ig->g.state != g.state || ig->g.preferred != g.preferred ||
		   ig->g.transition_secs != g.transition_secs) {
		refuse(im, "ALUA group %s differs between devices (%s: id %u, %s, %s%s; %s: id %u, %s, %s%s): a description has one group on every device",
		       name, ig->first, ig->g.id, lc_state_name(ig->g.state),
		       ig->g.access_type == 3 ? "implicit and explicit" : "implicit",
		       ig->g.preferred ? ", preferred" : "", path, g.id, lc_state_name(g.state),
		       g.access_type == 3 ? "implicit and explicit" : "implicit",
		       g.preferred ? ", preferred" : "");
		return;
	}
	ig->ndevs++;
}

/* --- ports ---------------------------------------------------------------------------------- */

static const char *fabric_label(enum lc_fabric f)
{
	return f == LC_ISCSI ? "iscsi" : f == LC_LOOPBACK ? "loop" : "fc";
}

/* <node>-<fabric>[-<k>]: unique on the node, and cluster-wide as nodes are */
static char *label(struct imp *im, enum lc_fabric f)
{
	const char *fl = fabric_label(f);
	char *s = NULL;
	int k;

	for (k = 1; !s || lc_map_get(&im->labels, s); k++) {
		char suffix[24];
		size_t room;

		free(s);
		snprintf(suffix, sizeof(suffix), k == 1 ? "-%s" : "-%s-%d", fl, k);
		room = 63 - strlen(suffix);
		s = lc_xasprintf("%.*s%s", (int)room, im->node, suffix);
	}
	s = lc_arena_take(&im->mem, s);
	lc_map_put(&im->labels, s, (void *)1);
	return lc_xstrdup(s);
}

static bool fabric_of(const char *dir, enum lc_fabric *f)
{
	if (!strcmp(dir, "iscsi"))
		*f = LC_ISCSI;
	else if (!strcmp(dir, "loopback"))
		*f = LC_LOOPBACK;
	else if (!strcmp(dir, "qla2xxx"))
		*f = LC_FC;
	else
		return false;
	return true;
}

/* A port or initiator name as a description writes it, when the
 * configfs name is exactly what the description would make of it */
static char *name_of(struct imp *im, const char *what, const char *dir, enum lc_name_kind *kind)
{
	char *canon = NULL, *back;

	*kind = lc_name_parse(dir, &canon);
	if (*kind == LC_NAME_BAD) {
		refuse(im, "%s: '%.64s' is not an iqn., eui., naa. or WWPN name", what, dir);
		return NULL;
	}
	back = lc_name_for_fabric(canon, *kind, false);
	if (strcmp(back, dir)) {
		refuse(im, "%s: '%.64s' is not written the way liocluster writes it ('%s'): it would make another directory",
		       what, dir, back);
		free(back);
		free(canon);
		return NULL;
	}
	free(back);
	return canon;
}

static void tpg(struct imp *im, const char *path)
{
	char *wwnp = parent(path), *fab = parent(wwnp);
	const char *wwn = base(wwnp), *t = base(path), *v;
	struct iport *ip;
	struct lc_port *p;
	enum lc_fabric f;
	unsigned long long tag;
	char *a;

	if (!fabric_of(base(fab), &f)) {
		free(wwnp);
		free(fab);
		return;
	}
	free(fab);
	ip = lc_arena_alloc(&im->mem, sizeof(*ip));
	ip->tpg = lc_arena_str(&im->mem, path);
	p = &ip->p;
	p->fabric = f;
	p->node = lc_xstrdup(im->node);
	p->wwn = name_of(im, path, wwn, &p->kind);
	free(wwnp);
	lc_vec_push(&im->ports, ip);
	lc_map_put(&im->port_by_tpg, ip->tpg, ip);
	if (!p->wwn)
		return;
	if (!lc_fabric_takes(f, p->kind)) {
		refuse(im, "%s: a %s port named %s is not in the schema", path, lc_fabric_dir(f),
		       lc_name_kind_str(p->kind));
		return;
	}
	if (lc_parse_uint(t + 5, f == LC_FC ? 1 : 0, f == LC_LOOPBACK ? 31 : 65535, false, &tag)) {
		refuse(im, "%s: the tag '%s' is not one a description takes (written plainly, in the fabric's range)",
		       path, t + 5);
		return;
	}
	p->tag = (unsigned int)tag;
	p->label = label(im, f);
	im->iscsi |= f == LC_ISCSI;
	if (f != LC_LOOPBACK) {
		v = value(im, path, "enable");
		if (!v || atoi(v) != 1) {
			refuse(im, "port %s is disabled (enable=0): liocluster enables the ports it describes; enable it, or remove it, and import again",
			       path);
			return;
		}
	}
	if (im->mode == LC_RTPI_PER_TPG) {
		v = value(im, path, "rtpi");
		p->rtpi = v ? (unsigned int)strtoul(v, NULL, 0) : 0;
		p->rtpi_explicit = true;
		if (!p->rtpi) {
			refuse(im, "port %s has RTPI 0 (tcm_loop has none on Linux 6.4+ until one is written): write one no other port of this node has (echo N > %s/rtpi) and import again",
			       path, path);
			return;
		}
	}
	if (f == LC_LOOPBACK) {
		v = value(im, path, "nexus");
		if (!v || !*v) {
			refuse(im, "loopback port %s has no nexus (its initiator side); the description makes one: write one (echo naa.<16 hex> > %s/nexus) and import again",
			       path, path);
			return;
		}
		if (lc_name_parse(v, &p->nexus) != LC_NAME_NAA || strlen(p->nexus) != 20 ||
		    strcmp(p->nexus, v)) {
			refuse(im, "loopback port %s: its nexus '%.64s' is not naa.<16 lower-case hex>, the only form in the schema",
			       path, v);
			return;
		}
		v = value(im, path, "transport_status");
		if (v && strcmp(v, "online"))
			note(im, "loopback port %s: transport_status is %s, not in the schema: kept here", path, v);
	}
	v = value(im, path, "fabric_prot_type");
	if (v && !same_value(v, "0"))
		note(im, "port %s: fabric_prot_type is %s, not in the schema: kept here, not made elsewhere",
		     path, v);
	a = lc_xasprintf("%s/attrib", path);
	writable(im, a, &ip->attrib);
	free(a);
	if (f == LC_ISCSI) {
		a = lc_xasprintf("%s/param", path);
		writable(im, a, &ip->param);
		free(a);
		v = value(im, path, "auth/userid");
		if (v && *v)
			note(im, "port %s: its own CHAP (auth/, for demo mode) is not in the schema: kept here, not made elsewhere",
			     path);
	}
}

static struct iport *port_of(struct imp *im, const char *path)
{
	char *t = lc_tpg_of(path);
	struct iport *ip = t ? lc_map_get(&im->port_by_tpg, t) : NULL;

	free(t);
	return ip;
}

static bool lun_number(const char *name, unsigned int max, unsigned int *out)
{
	unsigned long long n;

	if (strncmp(name, "lun_", 4) || lc_parse_uint(name + 4, 0, max, false, &n))
		return false;
	*out = (unsigned int)n;
	return true;
}

static void lun(struct imp *im, const char *path)
{
	struct iport *ip = port_of(im, path);
	struct ilun *l;
	const char *v;

	if (!ip)
		return;
	l = lc_arena_alloc(&im->mem, sizeof(*l));
	l->path = lc_arena_str(&im->mem, path);
	l->rtpi = -1;
	if (!lun_number(base(path), 16383, &l->lun)) {
		refuse(im, "LUN %s: the number is not one a description takes (0 to 16383, written plainly)",
		       path);
		return;
	}
	lc_vec_push(&ip->luns, l);
	lc_map_put(&im->lun_by_path, l->path, l);
	v = value(im, path, "statistics/scsi_port/indx");
	if (v && *v)
		l->rtpi = strtol(v, NULL, 0);
	v = value(im, path, "alua_tg_pt_gp");
	if (v && *v)
		l->group = lc_value_writable(LC_CMP_TG_PT_GP, v);
	v = value(im, path, "alua_tg_pt_offline");
	if (v && atoi(v) == 1)
		note(im, "LUN %s is offline for ALUA (alua_tg_pt_offline=1), not in the schema: kept here", path);
}

static void lun_link(struct imp *im, const struct lc_live_obj *o)
{
	char *dir = parent(o->path);
	struct ilun *l = lc_map_get(&im->lun_by_path, dir);
	const char *why;

	free(dir);
	if (!l)
		return;
	if (!o->target || !(l->dev = lc_map_get(&im->dev_by_path, o->target))) {
		why = o->target ? lc_map_get(&im->skipped, o->target) : NULL;
		refuse(im, "LUN %s exports %s%s%s", l->path, o->target ? o->target : "nothing (a dangling link)",
		       why ? ", which is left out: " : "", why ? why : "");
	}
}

static struct iacl *acl_named(struct imp *im, const char *path, const char *initiator,
			      enum lc_name_kind kind)
{
	struct iacl *ia = lc_map_get(&im->acl_by_name, initiator);

	if (ia)
		return ia;
	ia = lc_arena_alloc(&im->mem, sizeof(*ia));
	ia->a.initiator = lc_xstrdup(initiator);
	ia->a.kind = kind;
	ia->first = lc_arena_str(&im->mem, path);
	lc_vec_push(&im->acls, ia);
	lc_map_put(&im->acl_by_name, ia->a.initiator, ia);
	return ia;
}

/* A CHAP secret's name in the secrets file: the initiator's (the same ACL
 * on several nodes has one name), or discovery's */
static char *secret_name(const char *who, const char *which)
{
	size_t room = 64 - 1 - strlen(which);

	if (strlen(who) <= room)
		return lc_xasprintf("%s.%s", who, which);
	{
		/* long names: a prefix and the name's hash (of the name, never
		 * of the secret) */
		unsigned long long h = 1469598103934665603ULL;
		const char *s;

		for (s = who; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		return lc_xasprintf("%.*s.%08llx.%s", (int)(room - 9), who, h & 0xffffffffULL, which);
	}
}

static void keep_secret(struct imp *im, const char *name, const char *secret)
{
	if (lc_map_get(&im->out->secret_by_name, name))
		return;
	lc_vec_push(&im->out->names, lc_xstrdup(name));
	lc_vec_push(&im->out->secrets, lc_xstrdup(secret));
	lc_map_put(&im->out->secret_by_name, im->out->names.v[im->out->names.n - 1],
		   im->out->secrets.v[im->out->secrets.n - 1]);
}

/* CHAP from an auth/ directory (or discovery_auth): OUT gets the userid and
 * the secret's name; the secret goes to the import's secrets */
static void read_chap(struct imp *im, const char *what, const char *dir, const char *who,
		      bool mutual, struct lc_chap *out)
{
	char *u = lc_xasprintf("%s/%s", dir, mutual ? "userid_mutual" : "userid");
	char *pw = lc_xasprintf("%s/%s", dir, mutual ? "password_mutual" : "password");
	const char *uv = lc_live_value(&im->live, u), *pv = lc_live_value(&im->live, pw);

	free(u);
	free(pw);
	memset(out, 0, sizeof(*out));
	if (!uv || !*uv) {
		if (pv && *pv)
			note(im, "%s: a %sCHAP password without a userid is not in the schema: left out",
			     what, mutual ? "mutual " : "");
		return;
	}
	if (!lc_desc_valid_userid(uv)) {
		refuse(im, "%s: the %sCHAP userid is not 1-255 printable characters without spaces",
		       what, mutual ? "mutual " : "");
		return;
	}
	if (!pv || !lc_desc_valid_secret(pv)) {
		/* never the secret itself in a message */
		refuse(im, "%s: the %sCHAP password is not 12-255 printable characters without spaces, which liocluster's secrets file needs (RFC 3720 asks for 12 bytes at least); set a longer one and import again",
		       what, mutual ? "mutual " : "");
		return;
	}
	out->userid = lc_xstrdup(uv);
	out->secret_name = secret_name(who, mutual ? "mutual" : "chap");
	out->secret = lc_xstrdup(pv);
	if (lc_map_get(&im->out->secret_by_name, out->secret_name) &&
	    strcmp(lc_map_get(&im->out->secret_by_name, out->secret_name), pv))
		refuse(im, "%s: its %sCHAP password differs from the one %s has elsewhere on this node; a description has one per initiator",
		       what, mutual ? "mutual " : "", who);
	keep_secret(im, out->secret_name, pv);
}

static bool chap_equal(const struct lc_chap *a, const struct lc_chap *b)
{
	if (!a->userid || !b->userid)
		return !a->userid && !b->userid;
	return !strcmp(a->userid, b->userid) && !strcmp(a->secret, b->secret);
}

static void chap_clear(struct lc_chap *ch)
{
	free(ch->userid);
	if (ch->secret)
		memset(ch->secret, 0, strlen(ch->secret));
	free(ch->secret);
	free(ch->secret_name);
	memset(ch, 0, sizeof(*ch));
}

static bool kvs_equal(const struct lc_kvs *a, const struct lc_kvs *b)
{
	size_t i, j;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (!strcmp(a->v[i].key, b->v[j].key))
				break;
		if (j == b->n || strcmp(a->v[i].value, b->v[j].value))
			return false;
	}
	return true;
}

static void acl(struct imp *im, const char *path)
{
	struct iport *ip = port_of(im, path);
	struct iacldir *ad;
	struct iacl *ia;
	struct lc_kvs live, attrib = { 0 };
	struct lc_chap ch = { 0 }, mu = { 0 };
	enum lc_name_kind kind;
	char *name, *dir, *who;
	const char *v;

	if (!ip || !ip->p.wwn)
		return;
	name = name_of(im, path, base(path), &kind);
	if (!name)
		return;
	if (!lc_fabric_takes(ip->p.fabric, kind) &&
	    !(ip->p.fabric == LC_LOOPBACK && kind == LC_NAME_NAA)) {
		refuse(im, "ACL %s: a %s port cannot take a %s initiator in a description", path,
		       lc_fabric_dir(ip->p.fabric), lc_name_kind_str(kind));
		free(name);
		return;
	}
	dir = lc_xasprintf("%s/attrib", path);
	writable(im, dir, &live);
	differing(im, path, &live, NULL, ip->p.fabric == LC_ISCSI ? iscsi_acl_attrib : NULL, NULL,
		  NULL, &attrib);
	lc_kvs_free(&live);
	free(dir);
	if (ip->p.fabric == LC_ISCSI) {
		dir = lc_xasprintf("%s/auth", path);
		read_chap(im, path, dir, name, false, &ch);
		read_chap(im, path, dir, name, true, &mu);
		free(dir);
		if (mu.userid && !ch.userid)
			refuse(im, "ACL %s: mutual CHAP without CHAP is not in the schema", path);
	}
	v = value(im, path, "tag");
	if (v && *v)
		note(im, "ACL %s: its tag (%s) is not in the schema: kept here, not made elsewhere", path, v);
	who = lc_xasprintf("%s/attrib/default_cmdsn_depth", ip->tpg);
	v = value(im, path, "cmdsn_depth");
	if (v && lc_live_value(&im->live, who) && !same_value(v, lc_live_value(&im->live, who)))
		note(im, "ACL %s: cmdsn_depth %s is not in the schema: kept here, not made elsewhere", path, v);
	free(who);
	ia = acl_named(im, path, name, kind);
	if (ia->ports.n == 0) {
		ia->a.attrib = attrib;
		ia->a.chap = ch;
		ia->a.mutual = mu;
	} else {
		if (!kvs_equal(&ia->a.attrib, &attrib))
			refuse(im, "ACL %s has other attributes than %s: a description has one set per initiator",
			       path, ia->first);
		else if (!chap_equal(&ia->a.chap, &ch) || !chap_equal(&ia->a.mutual, &mu))
			refuse(im, "ACL %s has other CHAP credentials than %s: a description has one set per initiator",
			       path, ia->first);
		lc_kvs_free(&attrib);
		chap_clear(&ch);
		chap_clear(&mu);
	}
	ip->chap |= ia->a.chap.userid != NULL;
	lc_vec_push(&ia->ports, ip);
	ad = lc_arena_alloc(&im->mem, sizeof(*ad));
	ad->acl = ia;
	ad->port = ip;
	ad->path = lc_arena_str(&im->mem, path);
	lc_vec_push(&im->acldirs, ad);
	lc_map_put(&im->acldir_by_path, ad->path, ad);
	free(name);
}

static void mapped(struct imp *im, const char *path)
{
	char *dir = parent(path);
	struct iacldir *ad = lc_map_get(&im->acldir_by_path, dir);
	struct imapped *m;

	free(dir);
	if (!ad)
		return;
	m = lc_arena_alloc(&im->mem, sizeof(*m));
	m->path = lc_arena_str(&im->mem, path);
	if (!lun_number(base(path), 16383, &m->lun)) {
		refuse(im, "mapped LUN %s: the number is not one a description takes (0 to 16383, written plainly)",
		       path);
		return;
	}
	lc_vec_push(&ad->mapped, m);
	lc_map_put(&im->mapped_by_path, m->path, m);
}

static void mapped_link(struct imp *im, const struct lc_live_obj *o)
{
	char *dir = parent(o->path), *tpg, *want;
	struct imapped *m = lc_map_get(&im->mapped_by_path, dir);
	const char *v;

	if (!m) {
		free(dir);
		return;
	}
	m->linked = true;
	tpg = lc_tpg_of(o->path);
	want = lc_xasprintf("%s/lun/lun_%u", tpg, m->lun);
	if (!o->target || strcmp(o->target, want)) {
		if (o->target && !strncmp(o->target, tpg, strlen(tpg)) &&
		    !strncmp(o->target + strlen(tpg), "/lun/", 5))
			refuse(im, "mapped LUN %s points at %s: a description maps each LUN under its own number",
			       dir, base(o->target));
		else
			refuse(im, "mapped LUN %s points at %s, not at this port's %s", dir,
			       o->target ? o->target : "nothing", base(want));
	}
	v = value(im, dir, "write_protect");
	if (!im->ret && v && !*v)
		refuse(im, "mapped LUN %s: target core dropped its mapping (its LUN was linked again); link it again and import again",
		       dir);
	else if (!im->ret && v && atoi(v) == 1)
		refuse(im, "mapped LUN %s is read-only (write_protect=1): the schema has no read-only mappings",
		       dir);
	free(want);
	free(tpg);
	free(dir);
}

static void portal(struct imp *im, const char *path)
{
	struct iport *ip = port_of(im, path);
	char *canon;
	const char *v;

	if (!ip || ip->p.fabric != LC_ISCSI)
		return;
	canon = lc_desc_portal(base(path));
	if (!canon || strcmp(canon, base(path))) {
		refuse(im, "portal %s is not written the way liocluster writes it (%s): it would make another one",
		       path, canon ? canon : "IPv4:port or [IPv6]:port");
		free(canon);
		return;
	}
	v = value(im, path, "iser");
	if (v && atoi(v) == 1)
		refuse(im, "portal %s is an iSER portal: the schema has TCP portals only", path);
	v = value(im, path, "sctp");
	if (!im->ret && v && atoi(v) == 1)
		refuse(im, "portal %s is an SCTP portal: the schema has TCP portals only", path);
	ip->p.portals = lc_xrealloc(ip->p.portals, ip->p.nportals + 1, sizeof(char *));
	ip->p.portals[ip->p.nportals++] = canon;
}

/* --- after the walk ----------------------------------------------------------------------- */

static int cmp_lun(const void *a, const void *b)
{
	const struct ilun *x = *(const struct ilun *const *)a, *y = *(const struct ilun *const *)b;

	return x->lun < y->lun ? -1 : x->lun > y->lun;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* Every port exports the cluster's LUNs: the same numbers, the same devices */
static void check_luns(struct imp *im)
{
	const struct iport *first = NULL;
	size_t i, j;

	for (i = 0; i < im->ports.n && !im->ret; i++) {
		struct iport *ip = im->ports.v[i];

		if (ip->luns.n)
			qsort(ip->luns.v, ip->luns.n, sizeof(void *), cmp_lun);
		for (j = 0; j < ip->luns.n && !im->ret; j++)
			if (!((struct ilun *)ip->luns.v[j])->dev)
				refuse(im, "LUN %s exports no device", ((struct ilun *)ip->luns.v[j])->path);
		if (!first) {
			first = ip;
			continue;
		}
		for (j = 0; j < ip->luns.n || j < first->luns.n; j++) {
			const struct ilun *a = j < first->luns.n ? first->luns.v[j] : NULL;
			const struct ilun *b = j < ip->luns.n ? ip->luns.v[j] : NULL;

			if (!a || !b || a->lun != b->lun || a->dev != b->dev) {
				refuse(im, "ports %s and %s export different LUNs (%s: %s; %s: %s): a description exports the same LUNs through every port",
				       first->tpg, ip->tpg, first->p.label,
				       a ? a->path + strlen(first->tpg) + 1 : "fewer",
				       ip->p.label, b ? b->path + strlen(ip->tpg) + 1 : "fewer");
				break;
			}
		}
	}
	if (!im->ret && (!first || !first->luns.n))
		refuse(im, "%s: a description has ports and LUNs; import a node that exports something",
		       !im->ports.n ? "no iSCSI, loopback or FC port" : "no LUN");
	if (!im->ret && !im->devs.n)
		refuse(im, "no rd_mcp, fileio or iblock device");
}

/* One group per port; one RTPI per port */
static void check_ports(struct imp *im)
{
	size_t i, j;

	for (i = 0; i < im->ports.n && !im->ret; i++) {
		struct iport *ip = im->ports.v[i];
		const struct ilun *l0 = ip->luns.v[0];
		bool same = true;

		for (j = 0; j < ip->luns.n && !im->ret; j++) {
			const struct ilun *l = ip->luns.v[j];

			if (!l->group || !l0->group || strcmp(l->group, l0->group))
				refuse(im, "port %s: %s is in ALUA group %s, %s in %s: a description puts all of a port's LUNs in one group",
				       ip->tpg, base(l0->path), l0->group ? l0->group : "?", base(l->path),
				       l->group ? l->group : "?");
			same &= l->rtpi == l0->rtpi;
		}
		if (im->ret)
			break;
		ip->p.group = lc_xstrdup(l0->group);
		if (strcmp(l0->group, "default_tg_pt_gp") && !lc_map_get(&im->group_by_name, l0->group))
			refuse(im, "port %s is in ALUA group %s, which is not on its devices", ip->tpg, l0->group);
		if (im->mode == LC_RTPI_PER_LUN) {
			if (same && l0->rtpi > 0) {
				ip->p.rtpi = (unsigned int)l0->rtpi;
				ip->p.rtpi_explicit = true;
			} else {
				note(im, "port %s: its LUNs report different RTPIs (before Linux 6.4 each device numbers its ports as their LUNs are linked): rtpi left out, liocluster derives one and pins it once the node mirrors a peer",
				     ip->tpg);
			}
		}
		for (j = 0; j < i && !im->ret; j++) {
			const struct iport *o = im->ports.v[j];

			if (ip->p.rtpi_explicit && o->p.rtpi_explicit && o->p.rtpi == ip->p.rtpi)
				refuse(im, "ports %s and %s both have RTPI %u", o->tpg, ip->tpg, ip->p.rtpi);
		}
	}
	for (i = 0; i < im->groups.n && !im->ret; i++) {
		const struct igroup *ig = im->groups.v[i];

		if (ig->ndevs != im->devs.n)
			refuse(im, "ALUA group %s is on %zu of the %zu devices: a description has every group on every device",
			       ig->g.name, ig->ndevs, im->devs.n);
	}
}

static char *lunset(const struct iacldir *ad, unsigned int **nums, size_t *n)
{
	struct lc_buf b = { 0 };
	size_t i;

	*n = ad->mapped.n;
	*nums = lc_xcalloc(*n, sizeof(**nums));
	for (i = 0; i < *n; i++)
		(*nums)[i] = ((struct imapped *)ad->mapped.v[i])->lun;
	if (*n)
		qsort(*nums, *n, sizeof(**nums), cmp_uint);
	for (i = 0; i < *n; i++)
		lc_buf_printf(&b, "%s%u", i ? "," : "", (*nums)[i]);
	return b.s ? lc_buf_take(&b) : lc_xstrdup("");
}

/* An ACL's mapped LUNs: the same on every port it is on, each linked */
static void check_acls(struct imp *im)
{
	const struct iport *first = im->ports.n ? im->ports.v[0] : NULL;
	size_t i, j;

	for (i = 0; i < im->acldirs.n && !im->ret; i++) {
		struct iacldir *ad = im->acldirs.v[i];
		struct iacl *ia = ad->acl;
		unsigned int *nums;
		size_t n;
		char *set;

		for (j = 0; j < ad->mapped.n && !im->ret; j++)
			if (!((struct imapped *)ad->mapped.v[j])->linked)
				refuse(im, "mapped LUN %s has no link", ((struct imapped *)ad->mapped.v[j])->path);
		set = lunset(ad, &nums, &n);
		if (!ia->lunset) {
			ia->lunset = lc_arena_take(&im->mem, set);
			ia->a.luns = nums;
			ia->a.nluns = n;
			continue;
		}
		if (strcmp(ia->lunset, set))
			refuse(im, "ACL %s maps LUNs %s, %s maps %s: a description gives an initiator the same LUNs on every port",
			       ia->first, *ia->lunset ? ia->lunset : "none", ad->path, *set ? set : "none");
		free(set);
		free(nums);
	}
	for (i = 0; i < im->acls.n && !im->ret; i++) {
		struct iacl *ia = im->acls.v[i];
		struct lc_acl probe = ia->a;
		bool all = first && ia->a.nluns == first->luns.n, dflt = true;

		/* every LUN: no list */
		for (j = 0; all && j < ia->a.nluns; j++)
			all = ia->a.luns[j] == ((struct ilun *)first->luns.v[j])->lun;
		if (all) {
			free(ia->a.luns);
			ia->a.luns = NULL;
			ia->a.nluns = 0;
		}
		/* the ports its kind goes to, or a list */
		probe.ports = NULL;
		for (j = 0; j < im->ports.n; j++) {
			const struct iport *ip = im->ports.v[j];
			bool on = false;
			size_t k;

			for (k = 0; k < ia->ports.n; k++)
				on |= ia->ports.v[k] == ip;
			dflt &= on == lc_acl_on_port(&probe, &ip->p);
		}
		if (!dflt) {
			ia->a.ports = lc_xcalloc(ia->ports.n, sizeof(char *));
			for (j = 0; j < ia->ports.n; j++)
				ia->a.ports[ia->a.nports++] =
					lc_xstrdup(((struct iport *)ia->ports.v[j])->p.label);
		}
	}
}

/* A port's attributes and parameters against the fabric's defaults and what
 * liocluster writes */
static void port_attributes(struct imp *im, struct iport *ip)
{
	struct dflt tool[2] = { { "authentication", ip->chap ? "1" : "0" }, { NULL, NULL } };
	struct dflt auth[2] = { { "AuthMethod", "CHAP,None" }, { NULL, NULL } };
	const char *a;
	size_t i;

	switch (ip->p.fabric) {
	case LC_ISCSI:
		differing(im, ip->tpg, &ip->attrib, tool, iscsi_tpg_attrib, NULL, NULL, &ip->p.attrib);
		/* AuthMethod follows the authentication the TPG has */
		for (i = 0, a = "1"; i < ip->attrib.n; i++)
			if (!strcmp(ip->attrib.v[i].key, "authentication"))
				a = ip->attrib.v[i].value;
		if (atoi(a) == 1)
			auth[0].value = "CHAP";
		differing(im, ip->tpg, &ip->param, auth, iscsi_param, NULL, NULL, &ip->p.param);
		break;
	case LC_FC:
		differing(im, ip->tpg, &ip->attrib, NULL, fc_tpg_attrib, NULL, NULL, &ip->p.attrib);
		break;
	case LC_LOOPBACK:
		differing(im, ip->tpg, &ip->attrib, NULL, loop_tpg_attrib, NULL, NULL, &ip->p.attrib);
		break;
	}
	for (i = 0; i < ip->p.attrib.n; i++)
		if (!strcmp(ip->p.attrib.v[i].key, "generate_node_acls") &&
		    atoi(ip->p.attrib.v[i].value) == 1)
			note(im, "port %s lets any initiator in (generate_node_acls=1, demo mode); the description keeps that as an attribute",
			     ip->tpg);
}

static void discovery(struct imp *im, struct lc_cluster *c)
{
	const char *dir = "target/iscsi/discovery_auth", *v;

	if (!im->iscsi)
		return;
	read_chap(im, dir, dir, "discovery", false, &c->discovery);
	read_chap(im, dir, dir, "discovery", true, &c->discovery_mutual);
	v = value(im, dir, "enforce_discovery_auth");
	c->discovery_enforce = v && atoi(v) == 1;
	if (!im->ret && c->discovery_enforce && !c->discovery.userid)
		refuse(im, "%s: enforced without CHAP (no initiator can discover anything) is not in the schema",
		       dir);
	if (!im->ret && c->discovery_mutual.userid && !c->discovery.userid)
		refuse(im, "%s: mutual CHAP without CHAP is not in the schema", dir);
}

/* The cluster from what was read, in walk order; after a refusal, what
 * there is (to be freed) */
static struct lc_cluster *assemble(struct imp *im, const char *cluster)
{
	struct lc_cluster *c = lc_xcalloc(1, sizeof(*c));
	const struct iport *first = im->ports.n ? im->ports.v[0] : NULL;
	size_t i;

	c->name = lc_xstrdup(cluster);
	c->hba_index = 42;
	c->nodes = lc_xcalloc(1, sizeof(char *));
	c->nodes[c->nnodes++] = lc_xstrdup(im->node);
	c->luns = lc_xcalloc(first ? first->luns.n : 1, sizeof(*c->luns));
	for (i = 0; !im->ret && first && i < first->luns.n; i++) {
		const struct ilun *l = first->luns.v[i];

		c->luns[c->nluns].lun = l->lun;
		c->luns[c->nluns++].device = lc_xstrdup(l->dev->d.name);
	}
	c->devices = lc_xcalloc(im->devs.n, sizeof(*c->devices));
	for (i = 0; i < im->devs.n; i++) {
		struct idev *id = im->devs.v[i];

		c->devices[c->ndevices++] = id->d;
		memset(&id->d, 0, sizeof(id->d));
	}
	c->groups = lc_xcalloc(im->groups.n, sizeof(*c->groups));
	for (i = 0; i < im->groups.n; i++) {
		struct igroup *ig = im->groups.v[i];

		c->groups[c->ngroups++] = ig->g;
		memset(&ig->g, 0, sizeof(ig->g));
	}
	c->ports = lc_xcalloc(im->ports.n, sizeof(*c->ports));
	for (i = 0; i < im->ports.n; i++) {
		struct iport *ip = im->ports.v[i];

		c->ports[c->nports++] = ip->p;
		memset(&ip->p, 0, sizeof(ip->p));
	}
	c->acls = lc_xcalloc(im->acls.n, sizeof(*c->acls));
	for (i = 0; i < im->acls.n; i++) {
		struct iacl *ia = im->acls.v[i];

		c->acls[c->nacls++] = ia->a;
		memset(&ia->a, 0, sizeof(ia->a));
	}
	return c;
}

static void imp_free(struct imp *im)
{
	size_t i;

	for (i = 0; i < im->ports.n; i++) {
		struct iport *ip = im->ports.v[i];
		size_t j;

		for (j = 0; j < ip->luns.n; j++)
			free(((struct ilun *)ip->luns.v[j])->group);
		lc_vec_free(&ip->luns, NULL);
		lc_kvs_free(&ip->attrib);
		lc_kvs_free(&ip->param);
	}
	for (i = 0; i < im->acls.n; i++)
		lc_vec_free(&((struct iacl *)im->acls.v[i])->ports, NULL);
	for (i = 0; i < im->acldirs.n; i++)
		lc_vec_free(&((struct iacldir *)im->acldirs.v[i])->mapped, NULL);
	lc_vec_free(&im->devs, NULL);
	lc_vec_free(&im->groups, NULL);
	lc_vec_free(&im->ports, NULL);
	lc_vec_free(&im->acls, NULL);
	lc_vec_free(&im->acldirs, NULL);
	lc_map_free(&im->dev_by_path);
	lc_map_free(&im->dev_by_name);
	lc_map_free(&im->skipped);
	lc_map_free(&im->group_by_name);
	lc_map_free(&im->port_by_tpg);
	lc_map_free(&im->lun_by_path);
	lc_map_free(&im->acl_by_name);
	lc_map_free(&im->acldir_by_path);
	lc_map_free(&im->mapped_by_path);
	lc_map_free(&im->labels);
	lc_map_free(&im->noted);
	lc_live_free(&im->live);
	lc_arena_free(&im->mem);
}

/* A fabric or HBA tree the import leaves out, said once */
static bool left_out(struct imp *im, const char *path)
{
	char fab[256];
	size_t n = strcspn(path + 7, "/");
	enum lc_fabric f;

	snprintf(fab, sizeof(fab), "%.*s", (int)(n < 200 ? n : 200), path + 7);
	if (!strcmp(fab, "core") || fabric_of(fab, &f))
		return false;
	if (!lc_map_get(&im->noted, fab)) {
		lc_map_put(&im->noted, lc_arena_str(&im->mem, fab), (void *)1);
		if (!strcmp(fab, "remote"))
			note(im, "left out target/remote: the peers' ports, mirrored here (each node's import describes its own)");
		else
			note(im, "left out target/%s: that fabric is not in the schema (iscsi, loopback and qla2xxx are)",
			     fab);
	}
	return true;
}

int lc_import(struct lc_ctx *ctx, const char *node, const char *cluster, struct lc_import **out,
	      struct lc_error *err)
{
	struct imp im = { .ctx = ctx, .node = node, .err = err };
	struct lc_cluster *c;
	size_t i;
	int ret;

	*out = NULL;
	if (!node || !lc_safe_component(node, 63))
		return lc_fail(err, -EINVAL, "node name '%.64s' must be 1-63 letters, digits, '.', '_', ':' or '-', not starting with '.' or '-'",
			       node ? node : "");
	if (!cluster || !lc_safe_component(cluster, 63))
		return lc_fail(err, -EINVAL, "cluster name '%.64s' must be 1-63 letters, digits, '.', '_', ':' or '-', not starting with '.' or '-'",
			       cluster ? cluster : "");
	im.out = lc_xcalloc(1, sizeof(*im.out));
	im.mode = lc_ctx_rtpi_mode(ctx);
	ret = lc_live_scan(ctx, &im.live, NULL, err);
	if (ret) {
		lc_import_free(im.out);
		lc_live_free(&im.live);
		return ret;
	}
	/* one walk: parents come before their children */
	for (i = 0; i < im.live.objs.n && !im.ret; i++) {
		const struct lc_live_obj *o = im.live.objs.v[i];

		if (left_out(&im, o->path))
			continue;
		switch (o->kind) {
		case LC_K_DEVICE:
			device(&im, o->path);
			break;
		case LC_K_GROUP:
			group(&im, o->path);
			break;
		case LC_K_TPG:
			tpg(&im, o->path);
			break;
		case LC_K_LUN:
			lun(&im, o->path);
			break;
		case LC_K_LUN_LINK:
			lun_link(&im, o);
			break;
		case LC_K_ACL:
			acl(&im, o->path);
			break;
		case LC_K_MAPPED:
			mapped(&im, o->path);
			break;
		case LC_K_MAPPED_LINK:
			mapped_link(&im, o);
			break;
		case LC_K_PORTAL:
			portal(&im, o->path);
			break;
		default:
			break;
		}
	}
	if (!im.ret)
		check_luns(&im);
	if (!im.ret)
		check_ports(&im);
	if (!im.ret)
		check_acls(&im);
	for (i = 0; i < im.ports.n && !im.ret; i++)
		port_attributes(&im, im.ports.v[i]);
	c = assemble(&im, cluster);
	if (!im.ret)
		discovery(&im, c);
	ret = im.ret;
	imp_free(&im);
	if (ret) {
		lc_cluster_free(c);
		lc_import_free(im.out);
		return ret;
	}
	im.out->c = c;
	*out = im.out;
	return 0;
}

const struct lc_cluster *lc_import_cluster(const struct lc_import *imp)
{
	return imp->c;
}

size_t lc_import_note_count(const struct lc_import *imp)
{
	return imp->notes.n;
}

const char *lc_import_note(const struct lc_import *imp, size_t i)
{
	return i < imp->notes.n ? imp->notes.v[i] : NULL;
}

size_t lc_import_secret_count(const struct lc_import *imp)
{
	return imp->names.n;
}

void lc_import_secret(const struct lc_import *imp, size_t i, const char **name, const char **secret)
{
	*name = imp->names.v[i];
	*secret = imp->secrets.v[i];
}

static void wipe(void *p)
{
	char *s = p;

	memset(s, 0, strlen(s));
	free(s);
}

void lc_import_free(struct lc_import *imp)
{
	if (!imp)
		return;
	lc_cluster_free(imp->c);
	lc_vec_free(&imp->notes, free);
	lc_vec_free(&imp->names, free);
	lc_vec_free(&imp->secrets, wipe);
	lc_map_free(&imp->secret_by_name);
	free(imp);
}
