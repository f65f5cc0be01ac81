// SPDX-License-Identifier: GPL-2.0
/*
 * The stand-in: LIO's configfs tree modelled on an ordinary directory.
 * Each rule below names where it was read (Debian's linux-source-6.1 and
 * -6.12, drivers/target and drivers/scsi/qla2xxx/tcm_qla2xxx.c, and our
 * kmod/tcm_remote.c with docs/rtpi.md for the remote fabric).
 *
 * Attributes are plain files with the kernel's modes (0644, 0444, 0200)
 * and its read formats; what a read would refuse (a LUN's group or RTPI
 * while unlinked, a dropped mapping's write_protect) is an empty file.
 * Hidden kernel state is in ROOT.kernel: per device "counter N" and one
 * "lun PATH" line per linked LUN (dev_sep_list), link targets' reference
 * counts (configfs refuses to remove a link target: EBUSY), tcm_remote's
 * pins (per-LUN kernels) and the global RTPI pool of enabled TPGs
 * (per-TPG kernels).  A lock there makes every operation atomic.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "standin.h"

#define RW 0644
#define RO 0444
#define WO 0200

static unsigned long ops, fail_at, kill_at, fail_from;

void standin_fail_at(unsigned long nth)
{
	fail_at = nth ? ops + nth : 0;
}

void standin_fail_from(unsigned long nth)
{
	fail_from = nth ? ops + nth : 0;
}

void standin_kill_at(unsigned long nth)
{
	kill_at = nth ? ops + nth : 0;
}

unsigned long standin_ops(void)
{
	return ops;
}

/* --- files ------------------------------------------------------------------------ */

struct sp {			/* one operation's view of the stand-in */
	const char *root;
	char kdir[PATH_MAX];
	bool per_tpg;
	int lockfd;
};

static char *full(const struct sp *s, const char *rel)
{
	return lc_xasprintf("%s/%s", s->root, rel);
}

static char *kfile(const struct sp *s, const char *name)
{
	return lc_xasprintf("%s/%s", s->kdir, name);
}

/* A kernel-state file name for a configfs path */
static char *kkey(const struct sp *s, const char *dir, const char *path)
{
	char *k = lc_xasprintf("%s/%s/%s", s->kdir, dir, path), *p;

	for (p = k + strlen(s->kdir) + strlen(dir) + 2; *p; p++)
		if (*p == '/')
			*p = '%';
	return k;
}

static void put_mode(const char *path, const char *value, mode_t mode)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	bool made = false;

	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		made = true;
	} else if (fd < 0) {
		/* not root: modes apply to us too */
		chmod(path, 0600);
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		made = true;
	}
	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0) {
			/* a test machine out of disk shows in the checks */
		}
		if (made || (!fstat(fd, &st) && (st.st_mode & 0777) != mode))
			fchmod(fd, mode);
		close(fd);
	}
}

/* attribute REL/NAME with VALUE (a newline is added, as the kernel's show does) */
static void attr(const struct sp *s, const char *rel, const char *name, const char *value,
		 mode_t mode)
{
	char *p = lc_xasprintf("%s/%s/%s", s->root, rel, name);
	char *v = *value ? lc_xasprintf("%s\n", value) : lc_xstrdup("");

	put_mode(p, v, mode);
	free(v);
	free(p);
}

static void set(const struct sp *s, const char *rel, const char *value)
{
	char *p = full(s, rel), *v = *value ? lc_xasprintf("%s\n", value) : lc_xstrdup("");
	struct stat st;
	mode_t mode = stat(p, &st) ? RW : (st.st_mode & 0777);

	put_mode(p, v, mode);
	free(v);
	free(p);
}

/* The value of REL as the kernel shows it, without the newline ("" if none) */
static char *get(const struct sp *s, const char *rel)
{
	char *p = full(s, rel), buf[8192];
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	free(p);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return lc_xstrdup(lc_rstrip(buf));
}

static char *kget(const char *path)
{
	char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return lc_xstrdup(buf);
}

static void kput(const char *path, const char *text)
{
	put_mode(path, text, 0600);
}

static void sub(const struct sp *s, const char *rel, const char *name)
{
	char *p = lc_xasprintf("%s/%s/%s", s->root, rel, name);

	mkdir(p, 0755);
	free(p);
}

static bool is_dir(const struct sp *s, const char *rel)
{
	char *p = full(s, rel);
	struct stat st;
	bool r = !lstat(p, &st) && S_ISDIR(st.st_mode);

	free(p);
	return r;
}

static bool exists(const struct sp *s, const char *rel)
{
	char *p = full(s, rel);
	struct stat st;
	bool r = !lstat(p, &st);

	free(p);
	return r;
}

/* --- paths ------------------------------------------------------------------------ */

struct path {
	char buf[4096];
	const char *c[10];
	int n;
};

static int parse(const char *rel, struct path *p)
{
	char *save = NULL, *t;

	p->n = 0;
	if (strlen(rel) >= sizeof(p->buf))
		return -ENAMETOOLONG;
	strcpy(p->buf, rel);
	for (t = strtok_r(p->buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (p->n == 10)
			return -EPERM;
		p->c[p->n++] = t;
	}
	return p->n >= 2 && !strcmp(p->c[0], "target") ? 0 : -EPERM;
}

static char *join(const struct path *p, int n)
{
	struct lc_buf b = { 0 };
	int i;

	for (i = 0; i < n; i++)
		lc_buf_printf(&b, "%s%s", i ? "/" : "", p->c[i]);
	return lc_buf_take(&b);
}

static bool core(const struct path *p)
{
	return !strcmp(p->c[1], "core");
}

/* What a configfs path is, in the kernel's terms */
enum what { W_NONE, W_FABRIC, W_HBA, W_DEV, W_GROUP, W_WWN, W_TPG, W_LUN, W_ACL, W_MAPPED, W_NP };

static enum what what(const struct path *p)
{
	if (core(p)) {
		if (p->n == 3 && strcmp(p->c[2], "alua"))
			return W_HBA;
		if (p->n == 4 && strcmp(p->c[2], "alua"))
			return W_DEV;
		if (p->n == 6 && strcmp(p->c[2], "alua") && !strcmp(p->c[4], "alua"))
			return W_GROUP;
		return W_NONE;
	}
	if (p->n == 2)
		return W_FABRIC;
	if (p->n == 3)
		return W_WWN;
	if (p->n == 4)
		return W_TPG;
	if (p->n == 6 && !strcmp(p->c[4], "lun"))
		return W_LUN;
	if (p->n == 6 && !strcmp(p->c[4], "acls"))
		return W_ACL;
	if (p->n == 7 && !strcmp(p->c[4], "acls"))
		return W_MAPPED;
	if (p->n == 6 && !strcmp(p->c[4], "np"))
		return W_NP;
	return W_NONE;
}

/* --- kernel state --------------------------------------------------------------------- */

/* A device's LUNs (dev_sep_list) and counter, in ROOT.kernel/dev/ */
struct devstate {
	unsigned int counter;
	struct lc_vec luns;	/* char *: LUN directory paths */
};

static void dev_load(const struct sp *s, const char *dev, struct devstate *d)
{
	char *k = kkey(s, "dev", dev), *text = kget(k), *line, *save = NULL;

	memset(d, 0, sizeof(*d));
	d->counter = 1;		/* target_alloc_device: dev_rpti_counter = 1 ... */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "counter ", 8))
			d->counter = (unsigned int)strtoul(line + 8, NULL, 10);
		else if (!strncmp(line, "lun ", 4))
			lc_vec_push(&d->luns, lc_xstrdup(line + 4));
	}
	free(text);
	free(k);
}

static void dev_save(const struct sp *s, const char *dev, struct devstate *d)
{
	char *k = kkey(s, "dev", dev);
	struct lc_buf b = { 0 };
	size_t i;

	lc_buf_printf(&b, "counter %u\n", d->counter);
	for (i = 0; i < d->luns.n; i++)
		lc_buf_printf(&b, "lun %s\n", (char *)d->luns.v[i]);
	kput(k, b.s);
	free(b.s);
	free(k);
	lc_vec_free(&d->luns, free);
}

static unsigned int lun_rtpi(const struct sp *s, const char *lun)
{
	char *f = lc_xasprintf("%s/statistics/scsi_port/indx", lun), *v = get(s, f);
	unsigned int r = (unsigned int)strtoul(v, NULL, 0);

	free(v);
	free(f);
	return r;
}

static void set_lun_rtpi(const struct sp *s, const char *lun, unsigned int r)
{
	char *f = lc_xasprintf("%s/statistics/scsi_port/indx", lun), v[16];

	snprintf(v, sizeof(v), "%u", r);
	set(s, f, v);
	free(f);
}

/* The TPG directory of a LUN directory */
static char *tpg_of(const char *lun)
{
	const char *l = strstr(lun, "/lun/");

	return lc_xstrndup(lun, l ? (size_t)(l - lun) : strlen(lun));
}

/* Another port (a LUN of another TPG) of the device holds R */
static const char *held_by_other(const struct sp *s, struct devstate *d, const char *tpg,
				 unsigned int r)
{
	size_t i;

	for (i = 0; i < d->luns.n; i++) {
		char *t = tpg_of(d->luns.v[i]);
		bool other = strcmp(t, tpg) != 0;

		free(t);
		if (other && lun_rtpi(s, d->luns.v[i]) == r)
			return d->luns.v[i];
	}
	return NULL;
}

static bool in_use(const struct sp *s, struct devstate *d, unsigned int r)
{
	size_t i;

	for (i = 0; i < d->luns.n; i++)
		if (lun_rtpi(s, d->luns.v[i]) == r)
			return true;
	return false;
}

/* core_alloc_rtpi() (target_core_device.c, before 6.4): the next counter
 * value, skipping 0 and values another LUN of the device holds */
static unsigned int alloc_rtpi(const struct sp *s, struct devstate *d)
{
	unsigned int r;

	do {
		r = d->counter & 0xffff;
		d->counter = (d->counter + 1) & 0xffff;
	} while (!r || in_use(s, d, r));
	return r;
}

/* tcm_remote's pins: remote TPGs' rtpi files, and the local table */
struct pin {
	char *key;		/* "iscsi/iqn.../tpgt_1" */
	unsigned int rtpi;
};

static void pins_load(const struct sp *s, struct lc_vec *pins)
{
	char *k = kfile(s, "pins"), *text = kget(k), *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');
		struct pin *p;

		if (!sp)
			continue;
		p = lc_xcalloc(1, sizeof(*p));
		p->key = lc_xstrndup(line, (size_t)(sp - line));
		p->rtpi = (unsigned int)strtoul(sp + 1, NULL, 10);
		lc_vec_push(pins, p);
	}
	free(text);
	free(k);
}

static void pin_free(void *x)
{
	struct pin *p = x;

	free(p->key);
	free(p);
}

static void pins_save(const struct sp *s, struct lc_vec *pins)
{
	char *k = kfile(s, "pins");
	struct lc_buf b = { 0 }, show = { 0 };
	size_t i;

	for (i = 0; i < pins->n; i++) {
		const struct pin *p = pins->v[i];

		lc_buf_printf(&b, "%s %u\n", p->key, p->rtpi);
		lc_buf_printf(&show, "%s %#x\n", p->key, p->rtpi);
	}
	kput(k, b.s ? b.s : "");
	if (is_dir(s, "target/remote") && !s->per_tpg) {
		char *f = full(s, "target/remote/local_rtpi");

		put_mode(f, show.s ? show.s : "", RW);
		free(f);
	}
	free(b.s);
	free(show.s);
	free(k);
	lc_vec_free(pins, pin_free);
}

/* Every remote TPG's pinned RTPI, and the local table's, by value */
static const char *pinned_by(const struct sp *s, unsigned int r, struct lc_vec *pins,
			     char **owner)
{
	DIR *wd;
	struct dirent *w;
	char *root;
	size_t i;

	*owner = NULL;
	for (i = 0; i < pins->n; i++) {
		const struct pin *p = pins->v[i];

		if (p->rtpi == r) {
			*owner = lc_xstrdup(p->key);
			return *owner;
		}
	}
	root = full(s, "target/remote");
	wd = opendir(root);
	while (wd && (w = readdir(wd)) && !*owner) {
		char *wp = lc_xasprintf("target/remote/%s", w->d_name);
		DIR *td;
		struct dirent *t;
		char *tp = full(s, wp);

		td = w->d_name[0] != '.' ? opendir(tp) : NULL;
		while (td && (t = readdir(td)) && !*owner) {
			char *f, *v;

			if (strncmp(t->d_name, "tpgt_", 5))
				continue;
			f = lc_xasprintf("%s/%s/rtpi", wp, t->d_name);
			v = get(s, f);
			if (strtoul(v, NULL, 0) == r)
				*owner = lc_xasprintf("remote/%s/%s", w->d_name, t->d_name);
			free(v);
			free(f);
		}
		if (td)
			closedir(td);
		free(tp);
		free(wp);
	}
	if (wd)
		closedir(wd);
	free(root);
	return *owner;
}

/* The local table applied to a device: each entry's port gets its RTPI
 * unless another port holds it; then, if the entry's port has a LUN here
 * that does not report it, the entry leaves the table (docs/rtpi.md 3;
 * remote_dev_apply_pins()) */
static void apply_local_pins(const struct sp *s, struct devstate *d, struct lc_vec *pins)
{
	size_t i, j, keep = 0;

	for (i = 0; i < pins->n; i++) {
		struct pin *p = pins->v[i];
		char *tpg = lc_xasprintf("target/%s", p->key);
		bool held = held_by_other(s, d, tpg, p->rtpi), owes = false;

		for (j = 0; j < d->luns.n; j++) {
			char *t = tpg_of(d->luns.v[j]);

			if (!strcmp(t, tpg)) {
				if (!held)
					set_lun_rtpi(s, d->luns.v[j], p->rtpi);
				else if (lun_rtpi(s, d->luns.v[j]) != p->rtpi)
					owes = true;
			}
			free(t);
		}
		free(tpg);
		if (owes)
			pin_free(p);
		else
			pins->v[keep++] = p;
	}
	pins->n = keep;
}

/* --- link targets ------------------------------------------------------------------ */

static void ref(const struct sp *s, const char *target, int delta)
{
	char *k = kkey(s, "ref", target), *v = kget(k), n[24];
	long c = atol(v) + delta;

	if (c > 0) {
		snprintf(n, sizeof(n), "%ld", c);
		kput(k, n);
	} else {
		unlink(k);
	}
	free(v);
	free(k);
}

static bool referenced(const struct sp *s, const char *target)
{
	char *k = kkey(s, "ref", target);
	bool r = access(k, F_OK) == 0;

	free(k);
	return r;
}

/* --- objects ----------------------------------------------------------------------- */

static const char *plugin_of(const char *hba)
{
	static const char *const plugins[] = { "rd_mcp", "fileio", "iblock", "pscsi", "user" };
	size_t i;

	for (i = 0; i < 5; i++)
		if (!strncmp(hba, plugins[i], strlen(plugins[i])) && hba[strlen(plugins[i])] == '_')
			return plugins[i];
	return NULL;
}

/* target_core_hba.c / target_core_configfs.c: <plugin>_<id> */
static int make_hba(const struct sp *s, const struct path *p, const char *rel)
{
	const char *plugin = plugin_of(p->c[2]);
	unsigned long long id;

	if (!plugin || lc_parse_uint(p->c[2] + strlen(plugin) + 1, 0, UINT_MAX, false, &id))
		return -EINVAL;
	attr(s, rel, "hba_info", "HBA Index: 0 plugin", RO);
	attr(s, rel, "hba_mode", "0", RW);
	return 0;
}

static void group_attrs(const struct sp *s, const char *g, bool dflt)
{
	attr(s, g, "alua_access_state", "0", RW);
	attr(s, g, "alua_access_status", "None", RW);
	/* core_alua_allocate_tg_pt_gp: implicit and explicit */
	attr(s, g, "alua_access_type", "Implicit and Explicit", RW);
	attr(s, g, "alua_support_active_nonoptimized", "1", RW);
	attr(s, g, "alua_support_active_optimized", "1", RW);
	attr(s, g, "alua_support_offline", "1", RW);
	attr(s, g, "alua_support_standby", "1", RW);
	attr(s, g, "alua_support_transitioning", "1", RW);
	attr(s, g, "alua_support_unavailable", "1", RW);
	attr(s, g, "alua_write_metadata", "0", RW);
	attr(s, g, "implicit_trans_secs", "0", RW);
	attr(s, g, "nonop_delay_msecs", "100", RW);
	attr(s, g, "preferred", "0", RW);
	attr(s, g, "trans_delay_msecs", "0", RW);
	/* the id reads empty until set (tg_pt_gp_valid_id) */
	attr(s, g, "tg_pt_gp_id", dflt ? "0" : "", RW);
	attr(s, g, "members", "", RO);
}

static void dev_info(const struct sp *s, const char *dev)
{
	char *hba = lc_xstrndup(dev, (size_t)(strrchr(dev, '/') - dev));
	const char *plugin = plugin_of(strrchr(hba, '/') + 1);
	char *ctl = lc_xasprintf("%s/.control", dev), *f = kkey(s, "ctl", ctl);
	char *c = kget(f), *info, *enf = lc_xasprintf("%s/enable", dev), *en = get(s, enf);
	struct devstate d;
	char *pages = NULL, *name = NULL, *size = NULL, *udev = NULL, *save = NULL, *t;

	dev_load(s, dev, &d);
	for (t = strtok_r(c, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save)) {
		if (!strncmp(t, "rd_pages=", 9))
			pages = t + 9;
		else if (!strncmp(t, "fd_dev_name=", 12))
			name = t + 12;
		else if (!strncmp(t, "fd_dev_size=", 12))
			size = t + 12;
		else if (!strncmp(t, "udev_path=", 10))
			udev = t + 10;
	}
	/* transport_dump_dev_state + the backend's show_configfs_dev_params */
	if (!strcmp(plugin, "rd_mcp"))
		info = lc_xasprintf("Status: %s  Max Queue Depth: 0  SectorSize: 512  HwMaxSectors: 1024\n        TCM RamDisk ID: 0  RamDisk Makeup: rd_mcp\n        PAGES/PAGE_SIZE: %s*4096  SG_table_count: 1  nullio: 0 dummy: 0",
				    d.luns.n ? "ACTIVATED" : "DEACTIVATED", pages ? pages : "0");
	else if (!strcmp(plugin, "fileio"))
		info = lc_xasprintf("Status: %s  Max Queue Depth: 0  SectorSize: 512  HwMaxSectors: 16384\n        TCM FILEIO ID: 0        File: %s  Size: %s  Mode: O_DSYNC Async: 0",
				    d.luns.n ? "ACTIVATED" : "DEACTIVATED", name ? name : "",
				    size ? size : "0");
	else
		info = lc_xasprintf("Status: %s  Max Queue Depth: 0  SectorSize: 512  HwMaxSectors: 16384\n        %s%s%s  readonly: 0\n        Major: %s Minor: 0",
				    d.luns.n ? "ACTIVATED" : "DEACTIVATED", atoi(en) ? "iBlock device: vdb" : "",
				    udev ? "  UDEV PATH: " : "", udev ? udev : "", atoi(en) ? "254" : "0");
	attr(s, dev, "info", info, RO);
	lc_vec_free(&d.luns, free);
	free(info);
	free(en);
	free(enf);
	free(c);
	free(f);
	free(ctl);
	free(hba);
}

static void make_dev(const struct sp *s, const char *rel)
{
	static const char *const dgroups[] = { "action", "attrib", "pr", "wwn", "alua",
		"statistics", "statistics/scsi_dev", "statistics/scsi_tgt_dev",
		"statistics/scsi_lu", NULL };
	/* sbc_attrib_attrs (target_core_configfs.c), the defaults of
	 * target_alloc_device; the hw_* ones are read-only */
	static const struct { const char *n, *v; mode_t m; } attribs[] = {
		{ "block_size", "512", RW }, { "emulate_3pc", "1", RW }, { "emulate_caw", "1", RW },
		{ "emulate_dpo", "1", RW }, { "emulate_fua_read", "1", RW },
		{ "emulate_fua_write", "1", RW }, { "emulate_model_alias", "0", RW },
		{ "emulate_pr", "1", RW }, { "emulate_rest_reord", "0", RW },
		{ "emulate_tas", "1", RW }, { "emulate_tpu", "0", RW }, { "emulate_tpws", "0", RW },
		{ "emulate_ua_intlck_ctrl", "0", RW }, { "emulate_write_cache", "0", RW },
		{ "enforce_pr_isids", "1", RW }, { "force_pr_aptpl", "0", RW },
		{ "is_nonrot", "0", RW }, { "max_unmap_block_desc_count", "0", RW },
		{ "max_unmap_lba_count", "0", RW }, { "max_write_same_len", "0", RW },
		{ "optimal_sectors", "16384", RW }, { "pi_prot_format", "0", RW },
		{ "pi_prot_type", "0", RW }, { "pi_prot_verify", "0", RW },
		{ "queue_depth", "128", RW }, { "unmap_granularity", "0", RW },
		{ "unmap_granularity_alignment", "0", RW }, { "unmap_zeroes_data", "0", RW },
		{ "hw_block_size", "512", RO }, { "hw_max_sectors", "16384", RO },
		{ "hw_pi_prot_type", "0", RO }, { "hw_queue_depth", "128", RO },
	};
	const char *const *g;
	char *a, *dg;
	size_t i;

	for (g = dgroups; *g; g++)
		sub(s, rel, *g);
	attr(s, rel, "control", "", WO);
	attr(s, rel, "enable", "0", RW);
	attr(s, rel, "alias", "", RW);
	attr(s, rel, "udev_path", "", RW);
	attr(s, rel, "alua_lu_gp", "LU Group Alias: default_lu_gp\nLU Group ID: 0", RW);
	attr(s, rel, "lba_map", "", RW);
	a = lc_xasprintf("%s/attrib", rel);
	for (i = 0; i < sizeof(attribs) / sizeof(attribs[0]); i++)
		attr(s, a, attribs[i].n, attribs[i].v, attribs[i].m);
	free(a);
	a = lc_xasprintf("%s/wwn", rel);
	/* target_core_configfs.c: t10_wwn attributes */
	attr(s, a, "vpd_unit_serial", "T10 VPD Unit Serial Number: ", RW);
	attr(s, a, "company_id", "0x001405", RW);
	attr(s, a, "vendor_id", "LIO-ORG", RW);
	attr(s, a, "product_id", "", RW);
	attr(s, a, "revision", "4.0", RW);
	attr(s, a, "vpd_protocol_identifier", "", RO);
	attr(s, a, "vpd_assoc_logical_unit", "", RO);
	free(a);
	dg = lc_xasprintf("%s/alua/default_tg_pt_gp", rel);
	sub(s, rel, "alua/default_tg_pt_gp");
	group_attrs(s, dg, true);
	free(dg);
	dev_info(s, rel);
}

/* Names: tcm_remote's markers (kmod/tcm_remote.c), tcm_loop's
 * (tcm_loop_make_scsi_hba), tcm_qla2xxx's strict WWPN; iSCSI takes any
 * name shorter than ISCSI_IQN_LEN */
static int wwn_name_ok(const struct sp *s, const char *fabric, const char *name)
{
	if (!strcmp(fabric, "remote")) {
		static const char *const marks[] = { "naa.", "fc.", "0x", "iqn.", "eui." };
		size_t i;

		if (strlen(name) >= 256)
			return -EINVAL;
		for (i = 0; i < 5; i++) {
			const char *m = strstr(name, marks[i]);

			if (m && (i == 1 || i == 2 ? m[strlen(marks[i])] != '\0' : true))
				return 0;
		}
		return -EINVAL;
	}
	if (!strcmp(fabric, "loopback"))
		return strstr(name, "naa.") || strstr(name, "fc.") || strstr(name, "iqn.") ? 0 : -EINVAL;
	if (!strcmp(fabric, "qla2xxx")) {
		char w[17], *ports, *k;
		size_t i, o = 0;

		if (strlen(name) != 23)
			return -EINVAL;
		for (i = 0; i < 23; i++) {
			if (i % 3 == 2 ? name[i] != ':' : !(isdigit((unsigned char)name[i]) ||
							    (name[i] >= 'a' && name[i] <= 'f')))
				return -EINVAL;
			if (i % 3 != 2)
				w[o++] = name[i];
		}
		w[16] = '\0';
		k = kfile(s, "fc_ports");
		ports = kget(k);
		free(k);
		i = strstr(ports, w) != NULL;
		free(ports);
		/* tcm_qla2xxx_lport_register_cb: no HBA port with that WWPN */
		return i ? 0 : -ENODEV;
	}
	return strlen(name) < 224 ? 0 : -EINVAL;
}

/* tpgt_<tag>: canonical decimal on the remote fabric (SPEC-rtpi.md, issue
 * 14), tcm_loop tpgt_0..31 (TL_TPGS_PER_HBA), iSCSI kstrtou16 base 0,
 * qla2xxx kstrtoul then 1..USHRT_MAX */
static int tpg_name_ok(const char *fabric, const char *name, unsigned int *tag)
{
	unsigned long long v;
	char *end;

	if (strncmp(name, "tpgt_", 5))
		return -EINVAL;
	if (!strcmp(fabric, "remote")) {
		if (lc_parse_uint(name + 5, 0, 65535, false, &v))
			return -EINVAL;
	} else {
		if (!*(name + 5) || !isdigit((unsigned char)name[5]))
			return -EINVAL;
		errno = 0;
		v = strtoull(name + 5, &end, !strcmp(fabric, "iscsi") ? 0 : 10);
		if (errno || *end || v > 65535)
			return -EINVAL;
		if (!strcmp(fabric, "loopback") && v >= 32)
			return -EINVAL;
		if (!strcmp(fabric, "qla2xxx") && v == 0)
			return -EINVAL;
	}
	*tag = (unsigned int)v;
	return 0;
}

static void make_tpg(const struct sp *s, const struct path *p, const char *rel)
{
	static const char *const groups[] = { "lun", "acls", "np", "attrib", "param", "auth", NULL };
	const char *fabric = p->c[1];
	const char *const *g;
	char *a;

	for (g = groups; *g; g++)
		sub(s, rel, *g);
	if (s->per_tpg || !strcmp(fabric, "remote"))
		attr(s, rel, "rtpi", "0x0", RW);
	a = lc_xasprintf("%s/attrib", rel);
	if (!strcmp(fabric, "iscsi")) {
		attr(s, rel, "enable", "0", RW);
		attr(s, rel, "dynamic_sessions", "", RO);
		attr(s, rel, "fabric_prot_type", "0", RW);
		/* iscsi_target_core.h TA_* defaults */
		attr(s, a, "authentication", "1", RW);
		attr(s, a, "generate_node_acls", "0", RW);
		attr(s, a, "cache_dynamic_acls", "0", RW);
		attr(s, a, "default_cmdsn_depth", "64", RW);
		attr(s, a, "demo_mode_write_protect", "1", RW);
		attr(s, a, "prod_mode_write_protect", "0", RW);
		attr(s, a, "demo_mode_discovery", "1", RW);
		attr(s, a, "default_erl", "0", RW);
		attr(s, a, "login_timeout", "15", RW);
		attr(s, a, "netif_timeout", "2", RW);
		attr(s, a, "t10_pi", "0", RW);
		attr(s, a, "fabric_prot_type", "0", RW);
		attr(s, a, "tpg_enabled_sendtargets", "1", RW);
		attr(s, a, "login_keys_workaround", "1", RW);
		free(a);
		a = lc_xasprintf("%s/param", rel);
		/* INITIAL_AUTHMETHOD; iscsit_ta_authentication adds and
		 * removes None with attrib/authentication */
		attr(s, a, "AuthMethod", "CHAP", RW);
		attr(s, a, "HeaderDigest", "CRC32C,None", RW);
		attr(s, a, "DataDigest", "CRC32C,None", RW);
		attr(s, a, "MaxConnections", "1", RW);
		attr(s, a, "TargetAlias", "LIO Target", RW);
		attr(s, a, "InitialR2T", "Yes", RW);
		attr(s, a, "ImmediateData", "Yes", RW);
		attr(s, a, "MaxRecvDataSegmentLength", "8192", RW);
		attr(s, a, "MaxXmitDataSegmentLength", "262144", RW);
		attr(s, a, "MaxBurstLength", "262144", RW);
		attr(s, a, "FirstBurstLength", "65536", RW);
		free(a);
		a = lc_xasprintf("%s/auth", rel);
		attr(s, a, "userid", "", RW);
		attr(s, a, "password", "", RW);
		attr(s, a, "userid_mutual", "", RW);
		attr(s, a, "password_mutual", "", RW);
		attr(s, a, "authenticate_target", "0", RO);
	} else if (!strcmp(fabric, "qla2xxx")) {
		/* tcm_qla2xxx_make_tpg */
		attr(s, rel, "enable", "0", RW);
		attr(s, rel, "dynamic_sessions", "", RO);
		attr(s, rel, "fabric_prot_type", "0", RW);
		attr(s, a, "generate_node_acls", "1", RW);
		attr(s, a, "cache_dynamic_acls", "1", RW);
		attr(s, a, "demo_mode_write_protect", "1", RW);
		attr(s, a, "prod_mode_write_protect", "0", RW);
		attr(s, a, "demo_mode_login_only", "1", RW);
		attr(s, a, "jam_host", "0", RW);
	} else if (!strcmp(fabric, "loopback")) {
		attr(s, rel, "nexus", "", RW);
		attr(s, rel, "transport_status", "online", RW);
		attr(s, rel, "address", "", RO);
	}
	free(a);
}

static void make_lun(const struct sp *s, const char *rel)
{
	sub(s, rel, "statistics");
	sub(s, rel, "statistics/scsi_port");
	sub(s, rel, "statistics/scsi_tgt_port");
	sub(s, rel, "statistics/scsi_transport");
	attr(s, rel, "statistics/scsi_port/indx", "", RO);
	attr(s, rel, "statistics/scsi_port/role", "Device", RO);
	/* target_fabric_port_alua_tg_pt_*: ENODEV until the LUN is linked */
	attr(s, rel, "alua_tg_pt_gp", "", RW);
	attr(s, rel, "alua_tg_pt_offline", "", RW);
	attr(s, rel, "alua_tg_pt_status", "", RW);
	attr(s, rel, "alua_tg_pt_write_md", "", RW);
}

static void lun_port_attrs(const struct sp *s, const char *lun, bool linked)
{
	static const char *const names[] = { "alua_tg_pt_offline", "alua_tg_pt_status",
		"alua_tg_pt_write_md" };
	size_t i;

	for (i = 0; i < 3; i++) {
		char *f = lc_xasprintf("%s/%s", lun, names[i]);

		set(s, f, linked ? "0" : "");
		free(f);
	}
}

static void make_acl(const struct sp *s, const struct path *p, const char *rel)
{
	static const char *const groups[] = { "attrib", "auth", "param", "fabric_statistics", NULL };
	const char *const *g;
	char *a;

	for (g = groups; *g; g++)
		sub(s, rel, *g);
	attr(s, rel, "cmdsn_depth", "64", RW);
	attr(s, rel, "tag", "", RW);
	attr(s, rel, "info", "No active session", RO);
	if (!strcmp(p->c[1], "iscsi")) {
		a = lc_xasprintf("%s/attrib", rel);
		attr(s, a, "dataout_timeout", "3", RW);
		attr(s, a, "dataout_timeout_retries", "5", RW);
		attr(s, a, "default_erl", "0", RW);
		attr(s, a, "nopin_timeout", "15", RW);
		attr(s, a, "nopin_response_timeout", "30", RW);
		attr(s, a, "random_datain_pdu_offsets", "0", RW);
		attr(s, a, "random_datain_seq_offsets", "0", RW);
		attr(s, a, "random_r2t_offsets", "0", RW);
		attr(s, a, "authentication", "-1", RW);
		free(a);
		a = lc_xasprintf("%s/auth", rel);
		attr(s, a, "userid", "", RW);
		attr(s, a, "password", "", RW);
		attr(s, a, "userid_mutual", "", RW);
		attr(s, a, "password_mutual", "", RW);
		attr(s, a, "authenticate_target", "0", RO);
		free(a);
	}
}

static void make_fabric(const struct sp *s, const char *fabric, const char *rel)
{
	sub(s, rel, "discovery_auth");
	if (!strcmp(fabric, "iscsi")) {
		char *a = lc_xasprintf("%s/discovery_auth", rel);

		attr(s, a, "enforce_discovery_auth", "0", RW);
		attr(s, a, "userid", "", RW);
		attr(s, a, "password", "", RW);
		attr(s, a, "userid_mutual", "", RW);
		attr(s, a, "password_mutual", "", RW);
		attr(s, a, "authenticate_target", "0", RO);
		free(a);
		attr(s, rel, "lio_version", "Datera Inc. iSCSI Target v4.1.0", RO);
	} else if (!strcmp(fabric, "remote")) {
		attr(s, rel, "version", "TCM Remote Fabric module 1.0", RO);
		if (!s->per_tpg) {
			struct lc_vec pins = { 0 };

			pins_load(s, &pins);
			pins_save(s, &pins);
		}
	} else {
		attr(s, rel, "version", "TCM fabric module", RO);
	}
}

static int do_mkdir(struct sp *s, const char *rel)
{
	struct path p;
	char *parent_path;
	enum what w;
	int ret = parse(rel, &p);
	unsigned int tag;
	unsigned long long v;

	if (ret)
		return ret;
	w = what(&p);
	parent_path = join(&p, p.n - 1);
	if (!is_dir(s, parent_path)) {
		free(parent_path);
		return -ENOENT;
	}
	free(parent_path);
	if (exists(s, rel))
		return -EEXIST;
	switch (w) {
	case W_FABRIC:
		/* target_core_register_fabric: only registered fabrics */
		if (strcmp(p.c[1], "iscsi") && strcmp(p.c[1], "loopback") &&
		    strcmp(p.c[1], "remote") && strcmp(p.c[1], "qla2xxx"))
			return -ENOENT;
		break;
	case W_HBA:
		break;
	case W_DEV:
	case W_GROUP:
		if (w == W_GROUP && !strcmp(p.c[5], "default_tg_pt_gp"))
			return -EEXIST;
		break;
	case W_WWN:
		if (!strcmp(p.c[2], "discovery_auth") || !strcmp(p.c[2], "version") ||
		    !strcmp(p.c[2], "local_rtpi") || !strcmp(p.c[2], "lio_version"))
			return -EEXIST;
		ret = wwn_name_ok(s, p.c[1], p.c[2]);
		break;
	case W_TPG:
		if (!strcmp(p.c[3], "fabric_statistics") || !strcmp(p.c[3], "param"))
			return -EEXIST;
		ret = tpg_name_ok(p.c[1], p.c[3], &tag);
		if (!ret && !strcmp(p.c[1], "remote")) {
			/* one TPG per tag (tcm_remote, SPEC: EINVAL from target core) */
			char *wp = join(&p, 3), *wf = full(s, wp);
			DIR *d = opendir(wf);
			struct dirent *e;
			unsigned int t2;

			while (d && (e = readdir(d)))
				if (!tpg_name_ok("remote", e->d_name, &t2) && t2 == tag)
					ret = -EINVAL;
			if (d)
				closedir(d);
			free(wf);
			free(wp);
		}
		break;
	case W_LUN:
		/* target_fabric_make_lun: "lun_" then kstrtoull base 0 */
		if (strncmp(p.c[5], "lun_", 4))
			return -EINVAL;
		errno = 0;
		{
			char *end;

			v = strtoull(p.c[5] + 4, &end, 0);
			if (errno == ERANGE)
				return -ERANGE;
			if (!p.c[5][4] || *end || errno)
				return -EINVAL;
		}
		break;
	case W_ACL:
		if (strlen(p.c[5]) >= 224)
			return -EINVAL;
		if (!strcmp(p.c[1], "qla2xxx"))	/* tcm_qla2xxx_init_nodeacl: strict */
			ret = strlen(p.c[5]) == 23 ? 0 : -EINVAL;
		break;
	case W_MAPPED:
		if (strncmp(p.c[6], "lun_", 4) || lc_parse_uint(p.c[6] + 4, 0, ULLONG_MAX, false, &v))
			return -EINVAL;
		break;
	case W_NP:
		{
			char host[64];
			const char *colon = strrchr(p.c[5], ':');
			unsigned char a[16];

			if (strcmp(p.c[1], "iscsi") || !colon || (size_t)(colon - p.c[5]) >= sizeof(host))
				return -EINVAL;
			memcpy(host, p.c[5], (size_t)(colon - p.c[5]));
			host[colon - p.c[5]] = '\0';
			if (lc_parse_uint(colon + 1, 1, 65535, false, &v))
				return -EINVAL;
			if (host[0] == '[') {
				host[strlen(host) - 1] = '\0';
				if (inet_pton(AF_INET6, host + 1, a) != 1)
					return -EINVAL;
			} else if (inet_pton(AF_INET, host, a) != 1) {
				return -EINVAL;
			}
		}
		break;
	default:
		return -EPERM;	/* configfs: no make_group here */
	}
	if (ret)
		return ret;
	{
		char *f = full(s, rel);

		if (mkdir(f, 0755)) {
			ret = -errno;
			free(f);
			return ret;
		}
		free(f);
	}
	switch (w) {
	case W_FABRIC:
		make_fabric(s, p.c[1], rel);
		break;
	case W_HBA:
		ret = make_hba(s, &p, rel);
		if (ret) {
			char *f = full(s, rel);

			rmdir(f);
			free(f);
		}
		break;
	case W_DEV:
		make_dev(s, rel);
		break;
	case W_GROUP:
		group_attrs(s, rel, false);
		break;
	case W_TPG:
		make_tpg(s, &p, rel);
		break;
	case W_LUN:
		make_lun(s, rel);
		break;
	case W_ACL:
		make_acl(s, &p, rel);
		break;
	case W_MAPPED:
		sub(s, rel, "statistics");
		attr(s, rel, "write_protect", "", RW);
		break;
	case W_NP:
		attr(s, rel, "sctp", "0", RW);
		attr(s, rel, "iser", "0", RW);
		break;
	default:
		break;
	}
	return ret;
}

/* --- removing ------------------------------------------------------------------------ */

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(p, 0755);
	return remove(p);
}

/* The user-made children an object may hold (configfs: ENOTEMPTY) */
static int user_children(const struct sp *s, const struct path *p, const char *rel)
{
	static const char *const tpg[] = { "lun", "acls", "np", NULL };
	static const char *const dev[] = { "alua", NULL };
	static const char *const self[] = { "", NULL };
	const char *const *g;
	enum what w = what(p);
	int n = 0;

	g = w == W_TPG ? tpg : w == W_DEV ? dev : self;
	for (; *g; g++) {
		char *d = **g ? lc_xasprintf("%s/%s", rel, *g) : lc_xstrdup(rel), *f = full(s, d);
		DIR *dd = opendir(f);
		struct dirent *e;

		while (dd && (e = readdir(dd))) {
			struct stat st;
			char *c;

			if (e->d_name[0] == '.')
				continue;
			c = lc_xasprintf("%s/%s", f, e->d_name);
			if (!lstat(c, &st)) {
				if (S_ISLNK(st.st_mode))
					n++;
				else if (S_ISDIR(st.st_mode)) {
					if (w == W_DEV)
						n += strcmp(e->d_name, "default_tg_pt_gp") != 0;
					else if (**g)
						n++;
					else if (w == W_FABRIC)
						n += strcmp(e->d_name, "discovery_auth") != 0;
					else if (w == W_WWN)
						n += !strncmp(e->d_name, "tpgt_", 5);
					else if (w == W_HBA)
						n++;
					else if (w == W_ACL)
						n += !strncmp(e->d_name, "lun_", 4);
				}
			}
			free(c);
		}
		if (dd)
			closedir(dd);
		free(f);
		free(d);
	}
	return n;
}

static void render_members(const struct sp *s, const char *dev);

static int do_rmdir(struct sp *s, const char *rel)
{
	struct path p;
	enum what w;
	char *f;
	int ret = parse(rel, &p);

	if (ret)
		return ret;
	if (!exists(s, rel))
		return -ENOENT;
	if (!is_dir(s, rel))
		return -ENOTDIR;
	w = what(&p);
	if (w == W_NONE || (w == W_WWN && !strcmp(p.c[2], "discovery_auth")) ||
	    (w == W_TPG && strncmp(p.c[3], "tpgt_", 5)) || (w == W_GROUP && !strcmp(p.c[5], "default_tg_pt_gp")))
		return -EPERM;	/* a default group */
	/* configfs_rmdir: a link target is busy before anything else */
	if (referenced(s, rel))
		return -EBUSY;
	if (user_children(s, &p, rel))
		return -ENOTEMPTY;
	if (w == W_GROUP) {
		/* core_alua_free_tg_pt_gp: members go back to default_tg_pt_gp */
		char *dev = join(&p, 4);
		struct devstate d;
		size_t i;

		dev_load(s, dev, &d);
		for (i = 0; i < d.luns.n; i++) {
			char *g = lc_xasprintf("%s/alua_tg_pt_gp", (char *)d.luns.v[i]), *v = get(s, g);
			char *name = lc_value_writable(LC_CMP_TG_PT_GP, v);

			if (!strcmp(name, p.c[5]))
				set(s, g, "TG Port Alias: default_tg_pt_gp\nTG Port Group ID: 0\nTG Port Primary Access State: Active/Optimized\nTG Port Primary Access Status: None\nTG Port Secondary Access State: Online\nTG Port Secondary Access Status: None");
			free(name);
			free(v);
			free(g);
		}
		lc_vec_free(&d.luns, free);
		f = full(s, rel);
		ret = nftw(f, rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
		free(f);
		render_members(s, dev);
		free(dev);
		return ret;
	}
	if (w == W_TPG && s->per_tpg) {
		/* core_tpg_deregister -> target_tpg_deregister_rtpi */
		char *pool = kfile(s, "pool"), *text = kget(pool), *line, *save = NULL;
		struct lc_buf b = { 0 };

		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (strncmp(line, rel, strlen(rel)) || line[strlen(rel)] != ' ')
				lc_buf_printf(&b, "%s\n", line);
		kput(pool, b.s ? b.s : "");
		free(b.s);
		free(text);
		free(pool);
	}
	if (w == W_DEV) {
		char *k = kkey(s, "dev", rel), *c = lc_xasprintf("%s/.control", rel);
		char *ck = kkey(s, "ctl", c);

		unlink(k);
		unlink(ck);
		free(ck);
		free(c);
		free(k);
	}
	f = full(s, rel);
	ret = nftw(f, rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
	free(f);
	return ret;
}

/* --- links ------------------------------------------------------------------------------ */

static void render_members(const struct sp *s, const char *dev)
{
	char *alua = lc_xasprintf("%s/alua", dev), *fa = full(s, alua);
	DIR *d = opendir(fa);
	struct dirent *e;
	struct devstate ds;

	dev_load(s, dev, &ds);
	while (d && (e = readdir(d))) {
		struct lc_buf b = { 0 };
		char *m;
		size_t i;

		if (e->d_name[0] == '.')
			continue;
		for (i = 0; i < ds.luns.n; i++) {
			char *g = lc_xasprintf("%s/alua_tg_pt_gp", (char *)ds.luns.v[i]), *v = get(s, g);
			char *name = lc_value_writable(LC_CMP_TG_PT_GP, v);
			struct path lp;

			/* target_tg_pt_gp_members_show: fabric/wwn/tpgt_N/lun_M */
			if (!strcmp(name, e->d_name) && !parse(ds.luns.v[i], &lp))
				lc_buf_printf(&b, "%s/%s/%s/%s\n",
					      !strcmp(lp.c[1], "iscsi") ? "iSCSI" : lp.c[1],
					      lp.c[2], lp.c[3], lp.c[5]);
			free(name);
			free(v);
			free(g);
		}
		m = lc_xasprintf("%s/%s/members", alua, e->d_name);
		set(s, m, b.s ? lc_rstrip(b.s) : "");
		free(m);
		free(b.s);
	}
	if (d)
		closedir(d);
	lc_vec_free(&ds.luns, free);
	free(fa);
	free(alua);
}

static char *group_info(const struct sp *s, const char *dev, const char *group)
{
	char *id = lc_xasprintf("%s/alua/%s/tg_pt_gp_id", dev, group), *v = get(s, id);
	char *r = lc_xasprintf("TG Port Alias: %s\nTG Port Group ID: %s\nTG Port Primary Access State: Active/Optimized\nTG Port Primary Access Status: None\nTG Port Secondary Access State: Online\nTG Port Secondary Access Status: None",
			       group, *v ? v : "0");

	free(v);
	free(id);
	return r;
}

/* The device a LUN links to (NULL: none) */
static char *lun_device(const struct sp *s, const char *lun)
{
	char *fl = full(s, lun), buf[PATH_MAX], *dev = NULL;
	DIR *d = opendir(fl);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *c = lc_xasprintf("%s/%s", fl, e->d_name);
		ssize_t k = readlink(c, buf, sizeof(buf) - 1);

		if (k > 0) {
			buf[k] = '\0';
			free(dev);
			dev = lc_xstrdup(buf + strlen(s->root) + 1);
		}
		free(c);
	}
	if (d)
		closedir(d);
	free(fl);
	return dev;
}

/* Mapped LUNs of an ACL of TPG that point at LUN: the kernel's mapping
 * (deve) shows as write_protect */
static void drop_mappings(const struct sp *s, const char *tpg, const char *lun)
{
	char *acls = lc_xasprintf("%s/acls", tpg), *fa = full(s, acls);
	DIR *d = opendir(fa);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *ad, *fad;
		DIR *m;
		struct dirent *me;

		if (e->d_name[0] == '.')
			continue;
		ad = lc_xasprintf("%s/%s", acls, e->d_name);
		fad = full(s, ad);
		m = opendir(fad);
		while (m && (me = readdir(m))) {
			char *link, *fl, buf[PATH_MAX];
			ssize_t n;

			if (strncmp(me->d_name, "lun_", 4))
				continue;
			link = lc_xasprintf("%s/%s/lun", ad, me->d_name);
			fl = full(s, link);
			n = readlink(fl, buf, sizeof(buf) - 1);
			if (n > 0) {
				char *want = full(s, lun);

				buf[n] = '\0';
				if (!strcmp(buf, want)) {
					char *wp = lc_xasprintf("%s/%s/write_protect", ad, me->d_name);

					set(s, wp, "");
					free(wp);
				}
				free(want);
			}
			free(fl);
			free(link);
		}
		if (m)
			closedir(m);
		free(fad);
		free(ad);
	}
	if (d)
		closedir(d);
	free(fa);
	free(acls);
}

/* The TPG's RTPI on per-TPG kernels: its rtpi attribute */
static unsigned int tpg_rtpi(const struct sp *s, const char *tpg)
{
	char *f = lc_xasprintf("%s/rtpi", tpg), *v = get(s, f);
	unsigned int r = (unsigned int)strtoul(v, NULL, 0);

	free(v);
	free(f);
	return r;
}

static int link_lun(struct sp *s, const struct path *lp, const char *lun, const char *target,
		    const char *link)
{
	struct path tp;
	char *en, *ev, *tpg = join(lp, 4), *lf, *g, *info;
	struct devstate d;
	int ret = 0;

	if (parse(target, &tp) || what(&tp) != W_DEV) {
		free(tpg);
		return -EFAULT;	/* "Bad se_dev_ci, not a valid se_dev_ci pointer" */
	}
	en = lc_xasprintf("%s/enable", target);
	ev = get(s, en);
	free(en);
	if (atoi(ev) != 1) {
		free(ev);
		free(tpg);
		return -ENODEV;	/* "se_device not configured yet, cannot port link" */
	}
	free(ev);
	{
		/* "Port Symlink already exists" */
		char *f = full(s, lun);
		DIR *dd = opendir(f);
		struct dirent *e;
		struct stat st;

		while (dd && (e = readdir(dd)) && !ret) {
			char *c = lc_xasprintf("%s/%s", f, e->d_name);

			if (!lstat(c, &st) && S_ISLNK(st.st_mode))
				ret = -EEXIST;
			free(c);
		}
		if (dd)
			closedir(dd);
		free(f);
	}
	if (ret) {
		free(tpg);
		return ret;
	}
	lf = full(s, link);
	{
		char *tf = full(s, target);

		if (symlink(tf, lf))
			ret = -errno;
		free(tf);
	}
	free(lf);
	if (ret) {
		free(tpg);
		return ret;
	}
	ref(s, target, 1);
	dev_load(s, target, &d);
	if (!s->per_tpg) {
		struct lc_vec pins = { 0 };
		unsigned int r = alloc_rtpi(s, &d);

		lc_vec_push(&d.luns, lc_xstrdup(lun));
		set_lun_rtpi(s, lun, r);
		if (!strcmp(lp->c[1], "remote")) {
			/* tcm_remote's post_link (SPEC-rtpi.md 2) */
			unsigned int pin = tpg_rtpi(s, tpg);

			pins_load(s, &pins);
			/* the new LUN first: its TPG's RTPI, or off any
			 * reserved value; then the table */
			if (pin && !held_by_other(s, &d, tpg, pin)) {
				set_lun_rtpi(s, lun, pin);
			} else {
				char *owner = NULL;

				if (pin) {
					char *rf = lc_xasprintf("%s/rtpi", tpg);

					set(s, rf, "0x0");	/* unpinned */
					free(rf);
				}
				while (pinned_by(s, lun_rtpi(s, lun), &pins, &owner)) {
					free(owner);
					owner = NULL;
					set_lun_rtpi(s, lun, 0);
					set_lun_rtpi(s, lun, alloc_rtpi(s, &d));
				}
			}
			apply_local_pins(s, &d, &pins);
			pins_save(s, &pins);
		}
	} else {
		char v[16];

		lc_vec_push(&d.luns, lc_xstrdup(lun));
		snprintf(v, sizeof(v), "%u", tpg_rtpi(s, tpg));
		set_lun_rtpi(s, lun, tpg_rtpi(s, tpg));
	}
	dev_save(s, target, &d);
	/* target_attach_tg_pt_gp(lun, default_tg_pt_gp) */
	g = lc_xasprintf("%s/alua_tg_pt_gp", lun);
	info = group_info(s, target, "default_tg_pt_gp");
	set(s, g, info);
	lun_port_attrs(s, lun, true);
	free(info);
	free(g);
	render_members(s, target);
	dev_info(s, target);
	free(tpg);
	return 0;
}

static int do_symlink(struct sp *s, const char *target, const char *link)
{
	struct path lp, tp;
	char *dir;
	int ret = parse(link, &lp);

	if (ret)
		return ret;
	if (exists(s, link))
		return -EEXIST;
	if (parse(target, &tp) || !is_dir(s, target))
		return -ENOENT;
	if (lp.n == 7 && !strcmp(lp.c[4], "lun") && !strncmp(lp.c[5], "lun_", 4)) {
		dir = join(&lp, 6);
		if (!is_dir(s, dir)) {
			free(dir);
			return -ENOENT;
		}
		ret = link_lun(s, &lp, dir, target, link);
		free(dir);
		return ret;
	}
	if (lp.n == 8 && !strcmp(lp.c[4], "acls") && !strncmp(lp.c[6], "lun_", 4)) {
		char *wp, *lf, *tf, *wpf, *src_tpg, *my_tpg, *en;
		char *prod;
		DIR *dd;
		struct dirent *e;
		struct stat st;

		dir = join(&lp, 7);
		if (!is_dir(s, dir)) {
			free(dir);
			return -ENOENT;
		}
		if (what(&tp) != W_LUN) {
			free(dir);
			return -EFAULT;	/* "Bad lun_ci" */
		}
		/* one link per mapped LUN */
		tf = full(s, dir);
		dd = opendir(tf);
		while (dd && (e = readdir(dd)) && !ret) {
			char *c = lc_xasprintf("%s/%s", tf, e->d_name);

			if (!lstat(c, &st) && S_ISLNK(st.st_mode))
				ret = -EEXIST;
			free(c);
		}
		if (dd)
			closedir(dd);
		free(tf);
		/* the LUN must be linked (lun_se_dev), in the same wwn/tpgt names */
		en = lc_xasprintf("%s/statistics/scsi_port/indx", target);
		wpf = get(s, en);
		free(en);
		src_tpg = join(&tp, 4);
		my_tpg = join(&lp, 4);
		if (!ret && !*wpf)
			ret = -EINVAL;
		if (!ret && (strcmp(tp.c[2], lp.c[2]) || strcmp(tp.c[3], lp.c[3])))
			ret = -EINVAL;
		free(wpf);
		free(src_tpg);
		free(my_tpg);
		if (ret) {
			free(dir);
			return ret;
		}
		lf = full(s, link);
		tf = full(s, target);
		ret = symlink(tf, lf) ? -errno : 0;
		free(tf);
		free(lf);
		if (!ret) {
			ref(s, target, 1);
			/* lun_access_ro from prod_mode_write_protect */
			wp = lc_xasprintf("%s/write_protect", dir);
			my_tpg = join(&lp, 4);
			en = lc_xasprintf("%s/attrib/prod_mode_write_protect", my_tpg);
			free(my_tpg);
			prod = get(s, en);
			set(s, wp, *prod ? prod : "0");
			free(prod);
			free(en);
			free(wp);
		}
		free(dir);
		return ret;
	}
	return -EPERM;
}

static int do_unlink(struct sp *s, const char *link)
{
	struct path lp;
	char *lf = full(s, link), buf[PATH_MAX], *target;
	ssize_t n = readlink(lf, buf, sizeof(buf) - 1);
	int ret = parse(link, &lp);

	if (ret || n < 0) {
		free(lf);
		return ret ? ret : -ENOENT;
	}
	buf[n] = '\0';
	target = lc_xstrdup(buf + strlen(s->root) + 1);
	if (unlink(lf)) {
		ret = -errno;
		free(lf);
		free(target);
		return ret;
	}
	free(lf);
	ref(s, target, -1);
	if (lp.n == 7) {
		/* core_tpg_remove_lun: off the device, out of its group, every
		 * ACL mapping of the LUN dropped */
		char *lun = join(&lp, 6), *tpg = join(&lp, 4), *g;
		struct devstate d;
		size_t i;

		dev_load(s, target, &d);
		for (i = 0; i < d.luns.n; i++) {
			if (!strcmp(d.luns.v[i], lun)) {
				free(d.luns.v[i]);
				d.luns.v[i] = d.luns.v[--d.luns.n];
				break;
			}
		}
		dev_save(s, target, &d);
		set_lun_rtpi(s, lun, 0);
		{
			char *f = lc_xasprintf("%s/statistics/scsi_port/indx", lun);

			set(s, f, "");
			free(f);
		}
		g = lc_xasprintf("%s/alua_tg_pt_gp", lun);
		set(s, g, "");
		free(g);
		lun_port_attrs(s, lun, false);
		drop_mappings(s, tpg, lun);
		render_members(s, target);
		dev_info(s, target);
		free(tpg);
		free(lun);
	} else if (lp.n == 8) {
		char *dir = join(&lp, 7), *wp = lc_xasprintf("%s/write_protect", dir);

		set(s, wp, "");
		free(wp);
		free(dir);
	}
	free(target);
	return 0;
}

/* --- writes ------------------------------------------------------------------------------ */

static bool is_number(const char *v, unsigned long long *out)
{
	char *end;

	if (!*v || isspace((unsigned char)*v) || *v == '-')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 0);
	return !errno && (!*end || (*end == '\n' && !end[1]));
}

/* What the backend's configure_device (and configure_unmap) set when the
 * device is enabled: rd_configure_device (is_nonrot), fd_configure_device
 * and fd_configure_unmap for a file (UNMAP and WRITE SAME limits; buffered
 * I/O turns the write cache on), a block device's WRITE SAME limit without
 * write-zeroes offload (fileio on /dev/..., iblock) */
static void configure_attribs(const struct sp *s, const char *dev, const char *plugin,
			      const char *ctl)
{
	static const struct { const char *plugin, *name, *value; } set_at_enable[] = {
		{ "rd_mcp", "is_nonrot", "1" },
		{ "fileio", "max_unmap_lba_count", "8192" },
		{ "fileio", "max_unmap_block_desc_count", "1" },
		{ "fileio", "unmap_granularity", "1" },
		{ "fileio", "max_write_same_len", "4096" },
		{ "iblock", "max_write_same_len", "65535" },
	};
	bool blockdev = strstr(ctl, "fd_dev_name=/dev/") != NULL;
	size_t i;

	for (i = 0; i < sizeof(set_at_enable) / sizeof(set_at_enable[0]); i++) {
		const char *pl = set_at_enable[i].plugin;
		char *f;

		if (strcmp(pl, plugin) && !(blockdev && !strcmp(pl, "iblock")))
			continue;
		if (blockdev && !strcmp(pl, "fileio"))
			continue;
		f = lc_xasprintf("%s/attrib/%s", dev, set_at_enable[i].name);
		set(s, f, set_at_enable[i].value);
		free(f);
	}
	if (!strcmp(plugin, "fileio") && strstr(ctl, "fd_buffered_io=1")) {
		char *f = lc_xasprintf("%s/attrib/emulate_write_cache", dev);

		set(s, f, "1");
		free(f);
	}
}

static int write_dev(struct sp *s, const struct path *p, const char *rel, const char *name,
		     const char *v)
{
	char *dev = join(p, 4), *en = lc_xasprintf("%s/enable", dev), *env = get(s, en);
	bool enabled = atoi(env) == 1;
	struct devstate d;
	int ret = 0;

	dev_load(s, dev, &d);
	if (!strcmp(name, "control")) {
		char *c = lc_xasprintf("%s/.control", dev), *k = kkey(s, "ctl", c), *old = kget(k);
		char *merged;

		if (enabled && !strcmp(plugin_of(p->c[2]), "iblock") && strstr(v, "udev_path="))
			ret = -EEXIST;	/* "Unable to set udev_path= while ib_dev->ibd_bd exists" */
		else if (!strstr(v, "=") )
			ret = -EINVAL;
		if (!ret) {
			merged = lc_xasprintf("%s%s%s", old, *old ? "," : "", v);
			kput(k, merged);
			free(merged);
			dev_info(s, dev);
		}
		free(old);
		free(k);
		free(c);
	} else if (!strcmp(name, "enable")) {
		char *c = lc_xasprintf("%s/.control", dev), *k = kkey(s, "ctl", c), *ctl = kget(k);
		const char *plugin = plugin_of(p->c[2]);

		if (!strstr(v, "1"))
			ret = -EINVAL;
		else if (enabled)
			ret = -EEXIST;
		else if ((!strcmp(plugin, "rd_mcp") && !strstr(ctl, "rd_pages=")) ||
			 (!strcmp(plugin, "fileio") && (!strstr(ctl, "fd_dev_name=") || !strstr(ctl, "fd_dev_size="))) ||
			 (!strcmp(plugin, "iblock") && !strstr(ctl, "udev_path=")))
			ret = -EINVAL;	/* the backend's configure_device refuses */
		else if (!strcmp(plugin, "iblock") && strstr(ctl, "udev_path=/nonexistent"))
			ret = -ENOENT;
		if (!ret) {
			set(s, rel, "1");
			configure_attribs(s, dev, plugin, ctl);
			dev_info(s, dev);
		}
		free(ctl);
		free(k);
		free(c);
	} else if (!strcmp(name, "udev_path") || !strcmp(name, "alias")) {
		set(s, rel, v);
	} else if (!strcmp(name, "vpd_unit_serial")) {
		/* target_wwn_vpd_unit_serial_store */
		if (d.luns.n)
			ret = -EINVAL;
		else if (strlen(v) >= 254)
			ret = -EOVERFLOW;
		else {
			char *t = lc_xasprintf("T10 VPD Unit Serial Number: %s", v);

			set(s, rel, t);
			free(t);
		}
	} else if (!strcmp(name, "company_id")) {
		unsigned long long n;

		if (d.luns.n)
			ret = -EINVAL;
		else if (!is_number(v, &n) || n > 0xffffff)
			ret = -EINVAL;
		else {
			char t[16];

			snprintf(t, sizeof(t), "%#08llx", n);
			set(s, rel, t);
		}
	} else {
		unsigned long long n;

		if (!is_number(v, &n))
			ret = -EINVAL;
		else if (!strcmp(name, "block_size") && (d.luns.n || (n != 512 && n != 1024 && n != 2048 && n != 4096)))
			ret = -EINVAL;
		else if ((!strcmp(name, "emulate_tpu") || !strcmp(name, "emulate_tpws") ||
			  !strcmp(name, "unmap_zeroes_data")) && n &&
			 !strcmp(plugin_of(p->c[2]), "rd_mcp"))
			ret = -ENOSYS;	/* rd_mcp has no configure_unmap: "Generic Block Discard not supported" */
		else {
			char t[32];

			snprintf(t, sizeof(t), "%llu", n);
			set(s, rel, t);
		}
	}
	lc_vec_free(&d.luns, free);
	free(env);
	free(en);
	free(dev);
	return ret;
}

/* core_alua_do_transition_tg_pt: the new state, and who changed it */
static void group_transition(const struct sp *s, const char *g, const char *state, bool explicit)
{
	char *sf = lc_xasprintf("%s/alua_access_state", g), *st = lc_xasprintf("%s/alua_access_status", g);

	set(s, sf, state);
	set(s, st, explicit ? "Altered by Explicit STPG" : "Altered by Implicit ALUA");
	free(st);
	free(sf);
}

static int write_group(struct sp *s, const struct path *p, const char *rel, const char *name,
		       const char *v)
{
	char *g = join(p, 6), *dev = join(p, 4);
	char *idf = lc_xasprintf("%s/tg_pt_gp_id", g), *id = get(s, idf);
	char *tf = lc_xasprintf("%s/alua_access_type", g), *type = get(s, tf);
	char *en = lc_xasprintf("%s/enable", dev), *env = get(s, en);
	unsigned long long n;
	int ret = 0;

	if (!strcmp(name, "tg_pt_gp_id")) {
		/* core_alua_set_tg_pt_gp_id: once, unique per device */
		if (!is_number(v, &n) || n > 0xffff || *id)
			ret = -EINVAL;
		else {
			char *alua = lc_xasprintf("%s/alua", dev), *fa = full(s, alua);
			DIR *d = opendir(fa);
			struct dirent *e;

			while (d && (e = readdir(d)) && !ret) {
				char *o = lc_xasprintf("%s/%s/tg_pt_gp_id", alua, e->d_name), *ov;

				if (e->d_name[0] == '.') {
					free(o);
					continue;
				}
				ov = get(s, o);
				if (*ov && strtoull(ov, NULL, 0) == n)
					ret = -EINVAL;
				free(ov);
				free(o);
			}
			if (d)
				closedir(d);
			free(fa);
			free(alua);
			if (!ret) {
				char t[16];

				snprintf(t, sizeof(t), "%llu", n);
				set(s, rel, t);
			}
		}
	} else if (!strcmp(name, "alua_access_state")) {
		/* target_tg_pt_gp_alua_access_state_store */
		char *tw = lc_value_writable(LC_CMP_ACCESS, type);
		int t = atoi(tw);

		free(tw);
		if (!*id)
			ret = -EINVAL;
		else if (atoi(env) != 1)
			ret = -ENODEV;
		else if (!is_number(v, &n))
			ret = -EINVAL;
		else if (!(t & 1))
			ret = -EINVAL;
		else if (n != 0 && n != 1 && n != 2 && n != 3 && n != 14)
			ret = -EINVAL;	/* core_alua_check_transition */
		else {
			char x[16], *cur = get(s, rel);

			snprintf(x, sizeof(x), "%llu", n);
			/* core_alua_do_transition_tg_pt: nothing to do (and the
			 * status left as it is) when the state is the same */
			if (strcmp(cur, x))
				group_transition(s, g, x, false);
			free(cur);
		}
	} else if (!strcmp(name, "alua_access_type")) {
		static const char *const names[] = { "None", "Implicit", "Explicit", "Implicit and Explicit" };

		if (!is_number(v, &n) || n > 3)
			ret = -EINVAL;
		else
			set(s, rel, names[n]);
	} else if (!strcmp(name, "alua_access_status")) {
		static const char *const names[] = { "None", "Altered by Explicit STPG", "Altered by Implicit ALUA" };

		if (!is_number(v, &n) || n > 2)
			ret = -EINVAL;
		else
			set(s, rel, names[n]);
	} else if (!strcmp(name, "members")) {
		ret = -EACCES;
	} else if (!is_number(v, &n) || (!strcmp(name, "preferred") && n > 1) ||
		   (!strcmp(name, "implicit_trans_secs") && n > 255)) {
		ret = -EINVAL;
	} else {
		char t[32];

		snprintf(t, sizeof(t), "%llu", n);
		set(s, rel, t);
	}
	free(env);
	free(en);
	free(type);
	free(tf);
	free(id);
	free(idf);
	free(dev);
	free(g);
	return ret;
}

/* tcm_remote's rtpi (per-LUN kernels, SPEC-rtpi.md 1), or target core's */
static int write_rtpi(struct sp *s, const struct path *p, const char *rel, const char *v)
{
	char *tpg = join(p, 4), *en = lc_xasprintf("%s/enable", tpg), *env = get(s, en);
	unsigned long long n;
	char t[16];
	int ret = 0;

	free(en);
	if (!is_number(v, &n)) {
		ret = -EINVAL;
	} else if (n > 65535) {
		ret = -ERANGE;
	} else if (n == 0) {
		ret = -EINVAL;
	} else if (s->per_tpg) {
		/* target_fabric_tpg_base_rtpi_store: not while enabled */
		if (atoi(env) == 1)
			ret = -EINVAL;
		else {
			char *lun_dir = lc_xasprintf("%s/lun", tpg), *fl = full(s, lun_dir);
			DIR *d = opendir(fl);
			struct dirent *e;

			snprintf(t, sizeof(t), "%#llx", n);
			set(s, rel, t);
			while (d && (e = readdir(d))) {
				char *l = lc_xasprintf("%s/%s", lun_dir, e->d_name);
				char *ix = lc_xasprintf("%s/statistics/scsi_port/indx", l), *iv;

				if (e->d_name[0] != '.') {
					iv = get(s, ix);
					if (*iv)
						set_lun_rtpi(s, l, (unsigned int)n);
					free(iv);
				}
				free(ix);
				free(l);
			}
			if (d)
				closedir(d);
			free(fl);
			free(lun_dir);
		}
	} else {
		struct lc_vec pins = { 0 }, devs = { 0 };
		char *owner = NULL, *me = lc_xasprintf("%s/%s/%s", p->c[1], p->c[2], p->c[3]);
		char *lun_dir = lc_xasprintf("%s/lun", tpg), *fl = full(s, lun_dir);
		DIR *d;
		struct dirent *e;
		size_t i;

		pins_load(s, &pins);
		if (pinned_by(s, (unsigned int)n, &pins, &owner) && strcmp(owner, me))
			ret = -EEXIST;
		free(owner);
		/* every device of the TPG's LUNs: local pins first, then check */
		d = opendir(fl);
		while (!ret && d && (e = readdir(d))) {
			char *l, *link = NULL, *lf, buf[PATH_MAX];
			DIR *ld;
			struct dirent *le;

			if (e->d_name[0] == '.')
				continue;
			l = lc_xasprintf("%s/%s", lun_dir, e->d_name);
			lf = full(s, l);
			ld = opendir(lf);
			while (ld && (le = readdir(ld))) {
				char *c = lc_xasprintf("%s/%s", lf, le->d_name);
				ssize_t k = readlink(c, buf, sizeof(buf) - 1);

				if (k > 0) {
					buf[k] = '\0';
					link = lc_xstrdup(buf + strlen(s->root) + 1);
				}
				free(c);
			}
			if (ld)
				closedir(ld);
			if (link) {
				struct devstate ds;

				dev_load(s, link, &ds);
				apply_local_pins(s, &ds, &pins);
				if (held_by_other(s, &ds, tpg, (unsigned int)n))
					ret = -EEXIST;
				lc_vec_free(&ds.luns, free);
				lc_vec_push(&devs, l);
				l = NULL;
				free(link);
			}
			free(lf);
			free(l);
		}
		if (d)
			closedir(d);
		for (i = 0; !ret && i < devs.n; i++)
			set_lun_rtpi(s, devs.v[i], (unsigned int)n);
		if (!ret) {
			snprintf(t, sizeof(t), "%#llx", n);
			set(s, rel, t);
		}
		lc_vec_free(&devs, free);
		pins_save(s, &pins);
		free(fl);
		free(lun_dir);
		free(me);
	}
	free(env);
	free(tpg);
	return ret;
}

/* target/remote/local_rtpi (per-LUN kernels, SPEC-rtpi.md 3) */
static int write_local_rtpi(struct sp *s, const char *v)
{
	char key[512], *sp;
	unsigned long long n;
	struct lc_vec pins = { 0 };
	struct path kp;
	char *kpath, *owner = NULL;
	size_t i;
	int ret = 0;

	if (strlen(v) >= sizeof(key))
		return -EINVAL;
	strcpy(key, v);
	lc_rstrip(key);
	sp = strrchr(key, ' ');
	if (!sp || lc_parse_uint(sp + 1, 0, 65535, true, &n))
		return -EINVAL;
	*sp = '\0';
	kpath = lc_xasprintf("target/%s", key);
	if (parse(kpath, &kp) || kp.n != 4 || !strcmp(kp.c[1], "remote") || !strcmp(kp.c[1], "core") ||
	    strncmp(kp.c[3], "tpgt_", 5) || lc_parse_uint(kp.c[3] + 5, 0, 65535, false, &n) ||
	    lc_parse_uint(sp + 1, 0, 65535, true, &n)) {
		free(kpath);
		return -EINVAL;
	}
	pins_load(s, &pins);
	if (n == 0) {
		for (i = 0; i < pins.n; i++) {
			struct pin *pp = pins.v[i];

			if (!strcmp(pp->key, key)) {
				pin_free(pp);
				memmove(&pins.v[i], &pins.v[i + 1], (pins.n - i - 1) * sizeof(void *));
				pins.n--;
				break;
			}
		}
		pins_save(s, &pins);
		free(kpath);
		return 0;
	}
	if (pinned_by(s, (unsigned int)n, &pins, &owner) && strcmp(owner, key))
		ret = -EEXIST;
	free(owner);
	if (!ret) {
		struct pin *mine = NULL;

		for (i = 0; i < pins.n; i++)
			if (!strcmp(((struct pin *)pins.v[i])->key, key))
				mine = pins.v[i];
		if (!mine && pins.n >= 64)
			ret = -ENOSPC;
		if (!ret && !mine) {
			mine = lc_xcalloc(1, sizeof(*mine));
			mine->key = lc_xstrdup(key);
			lc_vec_push(&pins, mine);
		}
		if (!ret) {
			unsigned int old = mine->rtpi;
			char *kd = lc_xasprintf("%s/dev", s->kdir);
			DIR *d = opendir(kd);
			struct dirent *e;
			struct lc_vec devs = { 0 };

			mine->rtpi = (unsigned int)n;
			/* devices tcm_remote reaches: those with a remote LUN */
			while (d && (e = readdir(d))) {
				struct devstate ds;
				char *dev, *q;
				bool reach = false;

				if (e->d_name[0] == '.')
					continue;
				dev = lc_xstrdup(e->d_name);
				for (q = dev; *q; q++)
					if (*q == '%')
						*q = '/';
				dev_load(s, dev, &ds);
				for (i = 0; i < ds.luns.n; i++)
					reach |= !strncmp(ds.luns.v[i], "target/remote/", 14);
				if (reach && held_by_other(s, &ds, kpath, mine->rtpi))
					ret = -EEXIST;
				lc_vec_free(&ds.luns, free);
				if (reach)
					lc_vec_push(&devs, dev);
				else
					free(dev);
			}
			if (d)
				closedir(d);
			free(kd);
			if (ret) {
				mine->rtpi = old;
				if (!old) {
					for (i = 0; i < pins.n; i++)
						if (pins.v[i] == mine) {
							pins.n--;
							pin_free(mine);
							break;
						}
				}
			} else {
				for (i = 0; i < devs.n; i++) {
					struct devstate ds;
					size_t j;

					dev_load(s, devs.v[i], &ds);
					for (j = 0; j < ds.luns.n; j++) {
						char *t = tpg_of(ds.luns.v[j]);

						if (!strcmp(t, kpath))
							set_lun_rtpi(s, ds.luns.v[j], mine->rtpi);
						free(t);
					}
					lc_vec_free(&ds.luns, free);
				}
			}
			lc_vec_free(&devs, free);
		}
	}
	pins_save(s, &pins);
	free(kpath);
	return ret;
}

/* Every linked LUN of TPG reports R */
static void tpg_luns_rtpi(const struct sp *s, const char *tpg, unsigned int r)
{
	char *lun_dir = lc_xasprintf("%s/lun", tpg), *fl = full(s, lun_dir);
	DIR *d = opendir(fl);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *l = lc_xasprintf("%s/%s", lun_dir, e->d_name);
		char *ix = lc_xasprintf("%s/statistics/scsi_port/indx", l), *iv;

		if (e->d_name[0] != '.') {
			iv = get(s, ix);
			if (*iv)
				set_lun_rtpi(s, l, r);
			free(iv);
		}
		free(ix);
		free(l);
	}
	if (d)
		closedir(d);
	free(fl);
	free(lun_dir);
}

/* iscsit_ta_authentication: AuthMethod without None when authentication
 * is on, with it when off */
static void auth_method(const struct sp *s, const struct path *attrib, bool on)
{
	char *tpg = join(attrib, 4), *f = lc_xasprintf("%s/param/AuthMethod", tpg), *v = get(s, f);
	char *none = strstr(v, "None");

	if (on && none) {
		struct lc_buf b = { 0 };
		char *save = NULL, *t;

		for (t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (strcmp(t, "None"))
				lc_buf_printf(&b, "%s%s", b.n ? "," : "", t);
		set(s, f, b.s ? b.s : "CHAP");
		free(b.s);
	} else if (!on && !none) {
		char *t = lc_xasprintf("%s,None", v);

		set(s, f, t);
		free(t);
	}
	free(v);
	free(f);
	free(tpg);
}

static int do_write(struct sp *s, const char *rel, const char *value)
{
	struct path p;
	struct stat st;
	char *f = full(s, rel), *v;
	const char *name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	enum what w;
	int ret = parse(rel, &p);

	if (ret || stat(f, &st)) {
		free(f);
		return ret ? ret : -ENOENT;
	}
	free(f);
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!(st.st_mode & S_IWUSR))
		return -EACCES;
	v = lc_xstrdup(value);
	lc_rstrip(v);
	p.n--;			/* the object the attribute belongs to */
	w = what(&p);
	if (p.n == 5 && (!strcmp(p.c[4], "wwn") || !strcmp(p.c[4], "attrib")) && core(&p)) {
		p.n = 4;
		ret = write_dev(s, &p, rel, name, v);
	} else if (w == W_DEV) {
		ret = write_dev(s, &p, rel, name, v);
	} else if (w == W_GROUP) {
		ret = write_group(s, &p, rel, name, v);
	} else if (w == W_TPG && !strcmp(name, "rtpi")) {
		ret = write_rtpi(s, &p, rel, v);
	} else if (w == W_TPG && !strcmp(name, "enable")) {
		unsigned long long n;

		if (!is_number(v, &n) || n > 1)
			ret = -EINVAL;
		else if (s->per_tpg && n == 1) {
			/* target_tpg_register_rtpi: a global pool of enabled TPGs */
			char *pool = kfile(s, "pool"), *text = kget(pool), line[512];
			char *tpg = join(&p, 4), *rf = lc_xasprintf("%s/rtpi", tpg), *rv = get(s, rf);
			unsigned int r = (unsigned int)strtoul(rv, NULL, 0);
			char *cur = get(s, rel);

			if (atoi(cur) == 1) {
				ret = 0;
			} else if (r) {
				snprintf(line, sizeof(line), " %u\n", r);
				if (strstr(text, line))
					ret = -EINVAL;	/* "Can not set RTPI %#x, it is already busy" */
			} else {
				for (r = 1; r < 65536; r++) {
					snprintf(line, sizeof(line), " %u\n", r);
					if (!strstr(text, line))
						break;
				}
				snprintf(line, sizeof(line), "%#x", r);
				set(s, rf, line);
				/* LUNs report their TPG's RTPI (lun->lun_tpg->tpg_rtpi),
				 * linked before or after */
				tpg_luns_rtpi(s, tpg, r);
			}
			if (!ret && atoi(cur) != 1) {
				char *nt = lc_xasprintf("%s%s %u\n", text, tpg, r);

				kput(pool, nt);
				free(nt);
				set(s, rel, "1");
			}
			free(cur);
			free(rv);
			free(rf);
			free(tpg);
			free(text);
			free(pool);
		} else {
			char t[4];

			if (s->per_tpg && n == 0) {
				char *pool = kfile(s, "pool"), *text = kget(pool), *tpg = join(&p, 4);
				char *line, *save = NULL;
				struct lc_buf b = { 0 };

				for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
					if (strncmp(line, tpg, strlen(tpg)) || line[strlen(tpg)] != ' ')
						lc_buf_printf(&b, "%s\n", line);
				kput(pool, b.s ? b.s : "");
				free(b.s);
				free(tpg);
				free(text);
				free(pool);
			}
			snprintf(t, sizeof(t), "%llu", n);
			set(s, rel, t);
		}
	} else if (w == W_TPG && !strcmp(name, "nexus")) {
		/* tcm_loop_tpg_nexus_store */
		char *cur = get(s, rel), *tpg = join(&p, 4), *lund = lc_xasprintf("%s/lun", tpg);
		char *fl = full(s, lund);
		DIR *d = opendir(fl);
		struct dirent *e;
		int luns = 0;

		while (d && (e = readdir(d)))
			luns += e->d_name[0] != '.';
		if (d)
			closedir(d);
		if (!strncmp(v, "NULL", 4)) {
			if (!*cur)
				ret = -ENODEV;
			else if (luns)
				ret = -EPERM;	/* "Unable to remove TCM_Loop I_T Nexus with active TPG port count" */
			else
				set(s, rel, "");
		} else if (*cur) {
			ret = -EEXIST;
		} else if (strncmp(v, p.c[2], 4) && !(strstr(v, "naa.") && strstr(p.c[2], "naa."))) {
			ret = -EINVAL;	/* the initiator's protocol must be the target's */
		} else {
			set(s, rel, v);
		}
		free(fl);
		free(lund);
		free(tpg);
		free(cur);
	} else if (p.n == 5 && w == W_NONE && !core(&p) && !strcmp(p.c[4], "attrib")) {
		unsigned long long n;

		if (!is_number(v, &n))
			ret = -EINVAL;
		else {
			char t[32];

			snprintf(t, sizeof(t), "%llu", n);
			set(s, rel, t);
		}
		if (!ret && !strcmp(p.c[1], "iscsi") && !strcmp(name, "authentication"))
			auth_method(s, &p, n == 1);
	} else if (w == W_LUN && !strcmp(name, "alua_tg_pt_gp")) {
		/* target_fabric_port_alua_tg_pt_gp_store */
		char *idx = lc_xasprintf("%s/statistics/scsi_port/indx", rel), *iv;
		char *lun = join(&p, 6);

		free(idx);
		idx = lc_xasprintf("%s/statistics/scsi_port/indx", lun);
		iv = get(s, idx);
		if (!*iv) {
			ret = -ENODEV;
		} else if (strlen(v) >= 224) {
			ret = -EINVAL;
		} else {
			char *dev = lun_device(s, lun);

			{
				char *gd = lc_xasprintf("%s/alua/%s", dev ? dev : "", v);
				char *idf = lc_xasprintf("%s/tg_pt_gp_id", gd), *idv = get(s, idf);

				/* core_alua_get_tg_pt_gp_by_name: groups with an id only */
				if (!dev || strchr(v, '/') || !is_dir(s, gd) || !*idv)
					ret = -ENODEV;	/* "Unable to locate ALUA Target Port Group" */
				free(idv);
				free(idf);
				free(gd);
			}
			if (!ret) {
				char *info = group_info(s, dev, v);

				set(s, rel, info);
				free(info);
				render_members(s, dev);
			}
			free(dev);
		}
		free(iv);
		free(idx);
		free(lun);
	} else if (w == W_LUN && !strncmp(name, "alua_tg_pt_", 11)) {
		char *lun = join(&p, 6), *idx = lc_xasprintf("%s/statistics/scsi_port/indx", lun);
		char *iv = get(s, idx);
		unsigned long long n;

		if (!*iv)
			ret = -ENODEV;
		else if (!is_number(v, &n))
			ret = -EINVAL;
		else
			set(s, rel, v);
		free(iv);
		free(idx);
		free(lun);
	} else if (w == W_MAPPED && !strcmp(name, "write_protect")) {
		char *cur = get(s, rel);
		unsigned long long n;

		if (!is_number(v, &n) || n > 1)
			ret = -EINVAL;
		else if (*cur) {
			char t[4];

			snprintf(t, sizeof(t), "%llu", n);
			set(s, rel, t);
		}
		free(cur);
	} else if (w == W_FABRIC && !strcmp(name, "local_rtpi") && !strcmp(p.c[1], "remote")) {
		ret = write_local_rtpi(s, v);
	} else {
		/* auth, param, portal and other plain attributes: as written */
		if (strlen(v) > 255)
			ret = -EINVAL;
		else
			set(s, rel, v);
	}
	free(v);
	return ret;
}

/* --- the backend -------------------------------------------------------------------------- */

static int enter(struct sp *s, const char *root)
{
	char *k;

	s->root = root;
	snprintf(s->kdir, sizeof(s->kdir), "%s.kernel", root);
	k = kfile(s, "lock");
	s->lockfd = open(k, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(k);
	if (s->lockfd < 0 || flock(s->lockfd, LOCK_EX))
		return -EIO;
	k = kfile(s, "kind");
	{
		char *v = kget(k);

		s->per_tpg = !strncmp(v, "per-tpg", 7);
		free(v);
	}
	free(k);
	ops++;
	if (kill_at && ops == kill_at)
		kill(getpid(), SIGKILL);
	if ((fail_at && ops == fail_at) || (fail_from && ops >= fail_from))
		return -EIO;
	return 0;
}

static int leave(struct sp *s, int ret)
{
	if (s->lockfd >= 0)
		close(s->lockfd);
	return ret;
}

static int b_mkdir(void *priv, const char *root, const char *path)
{
	struct sp s;
	int ret = enter(&s, root);

	(void)priv;
	return leave(&s, ret ? ret : do_mkdir(&s, path));
}

static int b_rmdir(void *priv, const char *root, const char *path)
{
	struct sp s;
	int ret = enter(&s, root);

	(void)priv;
	return leave(&s, ret ? ret : do_rmdir(&s, path));
}

static int b_write(void *priv, const char *root, const char *path, const char *value)
{
	struct sp s;
	int ret = enter(&s, root);

	(void)priv;
	return leave(&s, ret ? ret : do_write(&s, path, value));
}

static int b_symlink(void *priv, const char *root, const char *target, const char *link)
{
	struct sp s;
	int ret = enter(&s, root);

	(void)priv;
	return leave(&s, ret ? ret : do_symlink(&s, target, link));
}

static int b_unlink(void *priv, const char *root, const char *link)
{
	struct sp s;
	int ret = enter(&s, root);

	(void)priv;
	return leave(&s, ret ? ret : do_unlink(&s, link));
}

static const struct lc_backend backend = {
	.mkdir = b_mkdir,
	.rmdir = b_rmdir,
	.write = b_write,
	.symlink = b_symlink,
	.unlink = b_unlink,
};

const struct lc_backend *standin_backend(void)
{
	return &backend;
}

int standin_init(const char *root, enum standin_kind kind)
{
	char *p;
	int ret = 0;

	if (mkdir(root, 0755) && errno != EEXIST)
		return -errno;
	p = lc_xasprintf("%s.kernel", root);
	ret = (mkdir(p, 0700) && errno != EEXIST) ? -errno : 0;
	free(p);
	if (ret)
		return ret;
	p = lc_xasprintf("%s.kernel/kind", root);
	kput(p, kind == STANDIN_PER_TPG ? "per-tpg\n" : "per-lun\n");
	free(p);
	for (const char *const *d = (const char *const[]){ "dev", "ref", "ctl", NULL }; *d; d++) {
		p = lc_xasprintf("%s.kernel/%s", root, *d);
		mkdir(p, 0700);
		free(p);
	}
	p = lc_xasprintf("%s/target", root);
	mkdir(p, 0755);
	free(p);
	p = lc_xasprintf("%s/target/core", root);
	mkdir(p, 0755);
	free(p);
	/* target_core_item_version_show names the release */
	p = lc_xasprintf("%s/target/version", root);
	put_mode(p, kind == STANDIN_PER_TPG ?
		 "Target Engine Core ConfigFS Infrastructure v5.0 on Linux/x86_64 on 6.12.0-standin\n" :
		 "Target Engine Core ConfigFS Infrastructure v5.0 on Linux/x86_64 on 6.1.0-standin\n", RO);
	free(p);
	p = lc_xasprintf("%s/target/core/alua", root);	/* lu_gps */
	mkdir(p, 0755);
	free(p);
	return 0;
}

void standin_destroy(const char *root)
{
	char *k = lc_xasprintf("%s.kernel", root);

	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	nftw(k, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(k);
}

int standin_add_fc_port(const char *root, const char *wwpn16)
{
	char *k = lc_xasprintf("%s.kernel/fc_ports", root), *old = kget(k);
	char *n = lc_xasprintf("%s%s\n", old, wwpn16);

	kput(k, n);
	free(n);
	free(old);
	free(k);
	return 0;
}

/* --- the snapshot -------------------------------------------------------------------------- */

static struct lc_vec *snap_lines;
static size_t snap_root_len;

static int snap_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *rel = p + snap_root_len;

	(void)ftw;
	if (flag == FTW_SL) {
		char buf[PATH_MAX];
		ssize_t n = readlink(p, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		lc_vec_push(snap_lines, lc_xasprintf("L %s -> %s", rel, buf + (n > (ssize_t)snap_root_len ? snap_root_len : 0)));
	} else if (flag == FTW_D || flag == FTW_DP) {
		lc_vec_push(snap_lines, lc_xasprintf("D %s", rel));
	} else if (S_ISREG(st->st_mode) &&
		   (((st->st_mode & 0600) == 0600) || strstr(rel, "scsi_port/indx"))) {
		char buf[8192];
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		ssize_t n;

		if (fd < 0)
			return 0;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		lc_vec_push(snap_lines, lc_xasprintf("F %s = %s", rel, lc_rstrip(buf)));
	}
	return 0;
}

char *standin_snapshot(const char *root)
{
	struct lc_vec lines = { 0 };
	struct lc_buf b = { 0 };
	size_t i;

	snap_lines = &lines;
	snap_root_len = strlen(root);
	nftw(root, snap_entry, 16, FTW_PHYS);
	if (lines.n)
		qsort(lines.v, lines.n, sizeof(char *), lc_cmp_str);
	for (i = 0; i < lines.n; i++)
		lc_buf_printf(&b, "%s\n", (char *)lines.v[i]);
	lc_vec_free(&lines, free);
	return lc_buf_take(&b);
}

/* The CLI's test build links this file: LIOCLUSTER_STANDIN=1 makes every
 * context use the stand-in (see lc_backend_hook in lib/live.c). */
void lc_backend_hook(struct lc_ctx *ctx)
{
	const char *v = getenv("LIOCLUSTER_STANDIN");
	const char *fail = getenv("LIOCLUSTER_STANDIN_FAIL_AT");
	const char *killat = getenv("LIOCLUSTER_STANDIN_KILL_AT");

	if (!v || strcmp(v, "1"))
		return;
	lc_ctx_set_backend(ctx, standin_backend());
	if (fail)
		standin_fail_at(strtoul(fail, NULL, 10));
	if (killat)
		standin_kill_at(strtoul(killat, NULL, 10));
}

/*
 * SET TARGET PORT GROUPS received through LUN (target_emulate_set_target_
 * port_groups): refused unless the receiving port's group allows explicit
 * ALUA; each descriptor in turn, a primary state checked against the
 * receiving group's supported states and then the named group's, applied
 * to the group of that id on the LUN's device (default LU group: that
 * device only), marked "Altered by Explicit STPG"; the first bad
 * descriptor ends the command, those before it stay applied.  Secondary
 * states (offline, by RTPI) are not modelled.
 */
static bool supports(const struct sp *s, const char *g, int state)
{
	static const char *const names[] = { "active_optimized", "active_nonoptimized", "standby",
					     "unavailable" };
	char *f, *v;
	bool r;

	if (state < 0 || state > 3)
		return false;	/* LBA dependent: not in a new group's set */
	f = lc_xasprintf("%s/alua_support_%s", g, names[state]);
	v = get(s, f);
	r = !strcmp(v, "1");
	free(v);
	free(f);
	return r;
}

static int do_stpg(struct sp *s, const char *lun, const int *states, const unsigned int *ids,
		   size_t n)
{
	char *gf = lc_xasprintf("%s/alua_tg_pt_gp", lun), *info = get(s, gf);
	char *dev = lun_device(s, lun), *lg = NULL, *name, *tf, *tv, *t;
	int ret = 0;
	size_t i;

	free(gf);
	name = strstr(info, "TG Port Alias: ");
	if (!dev || !name) {
		free(info);
		free(dev);
		return -EOPNOTSUPP;	/* "Unable to access l_lun->tg_pt_gp" */
	}
	name += strlen("TG Port Alias: ");
	name[strcspn(name, "\n")] = '\0';
	lg = lc_xasprintf("%s/alua/%s", dev, name);
	tf = lc_xasprintf("%s/alua_access_type", lg);
	tv = get(s, tf);
	t = lc_value_writable(LC_CMP_ACCESS, tv);
	if (!(atoi(t) & 2))
		ret = -EOPNOTSUPP;	/* TPGS_EXPLICIT_ALUA disabled */
	for (i = 0; i < n && !ret; i++) {
		char *alua = lc_xasprintf("%s/alua", dev), *fa = full(s, alua), *target = NULL;
		DIR *d;
		struct dirent *e;

		if (states[i] == 14)
			ret = -EOPNOTSUPP;	/* secondary: outside the model */
		else if (!supports(s, lg, states[i]))
			ret = -EINVAL;	/* core_alua_check_transition */
		d = ret ? NULL : opendir(fa);
		while (d && (e = readdir(d)) && !target) {
			char *g = lc_xasprintf("%s/%s", alua, e->d_name), *idf, *idv;

			idf = lc_xasprintf("%s/tg_pt_gp_id", g);
			idv = get(s, idf);
			if (e->d_name[0] != '.' && *idv && strtoul(idv, NULL, 10) == ids[i])
				target = lc_xstrdup(g);
			free(idv);
			free(idf);
			free(g);
		}
		if (d)
			closedir(d);
		if (!ret && (!target || !supports(s, target, states[i]))) {
			ret = -EINVAL;	/* not found: INVALID FIELD IN PARAMETER LIST */
		} else if (!ret) {
			char *sf = lc_xasprintf("%s/alua_access_state", target), *cur = get(s, sf);
			char x[16];

			snprintf(x, sizeof(x), "%d", states[i]);
			if (strcmp(cur, x))
				group_transition(s, target, x, true);
			free(cur);
			free(sf);
		}
		free(target);
		free(fa);
		free(alua);
	}
	free(t);
	free(tv);
	free(tf);
	free(lg);
	free(dev);
	free(info);
	return ret;
}

int standin_stpg(const char *root, const char *lun, const int *states, const unsigned int *ids,
		 size_t n)
{
	struct sp s;
	int ret = enter(&s, root);

	return leave(&s, ret ? ret : do_stpg(&s, lun, states, ids, n));
}
