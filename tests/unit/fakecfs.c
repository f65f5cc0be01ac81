// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for LIO's configfs tree on an ordinary directory: mkdir adds
 * the default groups and attribute files target core would add, rmdir
 * refuses a directory with user-made children (ENOTEMPTY) or one that is
 * a link target (EBUSY), writes only go to attributes that exist, and a
 * LUN's statistics/scsi_port/indx shows its RTPI as the kernel would:
 * the TPG's rtpi when set, else the device's next counter number (kernels
 * before 6.4).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "check.h"

struct counter {
	char *dev;
	unsigned int next;
};

struct fakecfs {
	char root[256];
	int per_tpg;
	struct lc_backend be;
	struct counter counters[256];
	size_t ncounters;
	unsigned long ops;
};

static int ncomp(const char *p)
{
	int n = 1;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

static const char *comp(const char *p, int i, char *buf, size_t len)
{
	const char *s = p, *e;

	while (i-- > 0) {
		s = strchr(s, '/');
		if (!s)
			return "";
		s++;
	}
	e = strchr(s, '/');
	snprintf(buf, len, "%.*s", (int)(e ? (size_t)(e - s) : strlen(s)), s);
	return buf;
}

static void put(const char *root, const char *rel, const char *name, const char *val)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/%s", root, rel, name);
	f = fopen(p, "w");
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

static void sub(const char *root, const char *rel, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s/%s", root, rel, name);
	mkdir(p, 0755);
}

/* The names of the default children of REL, by the shape of its path */
static const char *const *defaults(const char *rel)
{
	static const char *const fabric[] = { "discovery_auth", NULL };
	static const char *const wwn[] = { "fabric_statistics", "param", NULL };
	static const char *const tpg[] = { "lun", "acls", "attrib", "param", "auth", "np", NULL };
	static const char *const lun[] = { "statistics", NULL };
	static const char *const acl[] = { "attrib", "auth", "param", "fabric_statistics", NULL };
	static const char *const dev[] = { "wwn", "alua", "attrib", "pr", "statistics", NULL };
	static const char *const none[] = { NULL };
	char a[256], b[256];
	int n = ncomp(rel);

	if (strncmp(rel, "target/", 7))
		return none;
	if (!strcmp(comp(rel, 1, a, sizeof(a)), "core")) {
		if (n == 4)
			return dev;
		return none;
	}
	if (n == 2)
		return fabric;
	if (n == 3)
		return wwn;
	if (n == 4)
		return tpg;
	if (n == 6 && !strcmp(comp(rel, 4, b, sizeof(b)), "lun"))
		return lun;
	if (n == 6 && !strcmp(comp(rel, 4, b, sizeof(b)), "acls"))
		return acl;
	return none;
}

static void group_files(const char *root, const char *g, const char *id)
{
	put(root, g, "tg_pt_gp_id", id);
	put(root, g, "alua_access_state", "0");
	put(root, g, "alua_access_type", "3");
	put(root, g, "preferred", "0");
	put(root, g, "implicit_trans_secs", "0");
	put(root, g, "members", "");
}

static int fk_mkdir(void *priv, const char *root, const char *rel)
{
	struct fakecfs *f = priv;
	char p[PATH_MAX], a[256], b[256];
	const char *const *d;
	int n = ncomp(rel);

	f->ops++;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, 0755))
		return -errno;
	for (d = defaults(rel); *d; d++)
		sub(root, rel, *d);
	comp(rel, 1, a, sizeof(a));
	if (!strcmp(a, "core") && n == 4) {
		char x[PATH_MAX];

		put(root, rel, "control", "");
		put(root, rel, "enable", "0");
		put(root, rel, "wwn/vpd_unit_serial", "T10 VPD Unit Serial Number: ");
		put(root, rel, "wwn/company_id", "0x1405");
		snprintf(x, sizeof(x), "%s/alua/default_tg_pt_gp", rel);
		sub(root, rel, "alua/default_tg_pt_gp");
		group_files(root, x, "0");
	} else if (!strcmp(a, "core") && n == 6 && !strcmp(comp(rel, 4, b, sizeof(b)), "alua")) {
		group_files(root, rel, "");
	} else if (strcmp(a, "core") && n == 4) {
		comp(rel, 1, a, sizeof(a));
		if (f->per_tpg || !strcmp(a, "remote"))
			put(root, rel, "rtpi", "0");
		if (!strcmp(a, "iscsi")) {
			put(root, rel, "enable", "0");
			put(root, rel, "attrib/authentication", "1");
			put(root, rel, "attrib/generate_node_acls", "0");
		}
		if (!strcmp(a, "loopback"))
			put(root, rel, "nexus", "");
	} else if (strcmp(a, "core") && n == 6 && !strcmp(comp(rel, 4, b, sizeof(b)), "lun")) {
		put(root, rel, "alua_tg_pt_gp", "TG Port Alias: default_tg_pt_gp\nTG Port Group ID: 0\n");
		sub(root, rel, "statistics/scsi_port");
		put(root, rel, "statistics/scsi_port/indx", "");
	}
	return 0;
}

static int has_user_children(const char *root, const char *rel)
{
	char p[PATH_MAX];
	const char *const *d;
	struct dirent *e;
	DIR *dir;
	int r = 0;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	dir = opendir(p);
	if (!dir)
		return -errno;
	while ((e = readdir(dir)) && !r) {
		struct stat st;
		char c[PATH_MAX + 256];
		bool dflt = false;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(c, sizeof(c), "%s/%s", p, e->d_name);
		if (lstat(c, &st))
			continue;
		for (d = defaults(rel); *d; d++)
			dflt |= !strcmp(*d, e->d_name);
		if (S_ISLNK(st.st_mode) || (S_ISDIR(st.st_mode) && !dflt &&
					    strcmp(e->d_name, "default_tg_pt_gp") &&
					    strcmp(e->d_name, "alua")))
			r = 1;
		/* a device's alua/ holds the groups the admin made */
		if (!r && S_ISDIR(st.st_mode) && !strcmp(e->d_name, "alua")) {
			char a[PATH_MAX + 8];
			DIR *ad;
			struct dirent *ae;

			snprintf(a, sizeof(a), "%s/alua", p);
			ad = opendir(a);
			while (ad && (ae = readdir(ad)))
				if (strcmp(ae->d_name, ".") && strcmp(ae->d_name, "..") &&
				    strcmp(ae->d_name, "default_tg_pt_gp"))
					r = 1;
			if (ad)
				closedir(ad);
		}
	}
	closedir(dir);
	return r;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* Is any link in the tree pointing at REL? (configfs: EBUSY) */
static int linked_to(const char *root, const char *rel)
{
	char cmd[PATH_MAX * 2], target[PATH_MAX];
	FILE *f;
	int r = 0;

	snprintf(target, sizeof(target), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "find '%s' -type l -lname '%s' 2>/dev/null | head -n1", root,
		 target);
	f = popen(cmd, "r");
	if (f) {
		r = fgetc(f) != EOF;
		pclose(f);
	}
	return r;
}

static int fk_rmdir(void *priv, const char *root, const char *rel)
{
	struct fakecfs *f = priv;
	char p[PATH_MAX];
	int r;

	f->ops++;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	r = has_user_children(root, rel);
	if (r < 0)
		return r;
	if (r)
		return -ENOTEMPTY;
	if (linked_to(root, rel))
		return -EBUSY;
	return nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

static unsigned int next_rtpi(struct fakecfs *f, const char *dev)
{
	size_t i;

	for (i = 0; i < f->ncounters; i++)
		if (!strcmp(f->counters[i].dev, dev))
			return ++f->counters[i].next;
	f->counters[f->ncounters].dev = strdup(dev);
	f->counters[f->ncounters].next = 1;
	return f->counters[f->ncounters++].next;
}

static void set_indx(const char *root, const char *lun, unsigned int v)
{
	char val[16];

	snprintf(val, sizeof(val), "%u", v);
	put(root, lun, "statistics/scsi_port/indx", val);
}

static unsigned int tpg_rtpi(const char *root, const char *tpg)
{
	char p[PATH_MAX], buf[32] = "";
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/rtpi", root, tpg);
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return (unsigned int)strtoul(buf, NULL, 0);
}

static int fk_write(void *priv, const char *root, const char *rel, const char *value)
{
	struct fakecfs *f = priv;
	char p[PATH_MAX];
	struct stat st;
	FILE *fp;

	f->ops++;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (stat(p, &st) || !S_ISREG(st.st_mode))
		return -ENOENT;
	if (strstr(rel, "/alua_access_state") && (!strcmp(value, "5") || !strcmp(value, "15")))
		return -EINVAL;
	fp = fopen(p, "w");
	if (!fp)
		return -errno;
	fputs(value, fp);
	fclose(fp);
	/* a TPG's rtpi shows in its LUNs' statistics */
	if (strlen(rel) > 5 && !strcmp(rel + strlen(rel) - 5, "/rtpi")) {
		char tpg[PATH_MAX], cmd[PATH_MAX * 2], line[PATH_MAX];
		FILE *ls;

		snprintf(tpg, sizeof(tpg), "%.*s", (int)(strlen(rel) - 5), rel);
		snprintf(cmd, sizeof(cmd), "cd '%s/%s/lun' 2>/dev/null && ls", root, tpg);
		ls = popen(cmd, "r");
		while (ls && fgets(line, sizeof(line), ls)) {
			char lun[2 * PATH_MAX + 16];

			line[strcspn(line, "\n")] = '\0';
			snprintf(lun, sizeof(lun), "%s/lun/%s", tpg, line);
			if (has_user_children(root, lun) == 1)
				set_indx(root, lun, (unsigned int)strtoul(value, NULL, 0));
		}
		if (ls)
			pclose(ls);
	}
	return 0;
}

static int fk_symlink(void *priv, const char *root, const char *target, const char *link)
{
	struct fakecfs *f = priv;
	char t[PATH_MAX], l[PATH_MAX], lun[PATH_MAX], tpg[PATH_MAX], a[256];
	unsigned int r;

	f->ops++;
	snprintf(t, sizeof(t), "%s/%s", root, target);
	snprintf(l, sizeof(l), "%s/%s", root, link);
	if (access(t, F_OK))
		return -ENOENT;
	if (symlink(t, l))
		return -errno;
	/* a LUN linked to a backstore gets its RTPI */
	if (!strncmp(target, "target/core/", 12) && ncomp(link) == 7 &&
	    !strcmp(comp(link, 4, a, sizeof(a)), "lun")) {
		snprintf(lun, sizeof(lun), "%.*s", (int)(strrchr(link, '/') - link), link);
		snprintf(tpg, sizeof(tpg), "%.*s", (int)(strstr(lun, "/lun/") - lun), lun);
		r = next_rtpi(f, target);
		if (tpg_rtpi(root, tpg))
			r = tpg_rtpi(root, tpg);
		set_indx(root, lun, r);
	}
	return 0;
}

static int fk_unlink(void *priv, const char *root, const char *link)
{
	struct fakecfs *f = priv;
	char l[PATH_MAX];

	f->ops++;
	snprintf(l, sizeof(l), "%s/%s", root, link);
	return unlink(l) ? -errno : 0;
}

struct fakecfs *fakecfs_new(int per_tpg_rtpi)
{
	struct fakecfs *f = calloc(1, sizeof(*f));
	char p[PATH_MAX];

	snprintf(f->root, sizeof(f->root), "/tmp/liocluster-unit-XXXXXX");
	if (!mkdtemp(f->root)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(p, sizeof(p), "%s/target", f->root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/target/core", f->root);
	mkdir(p, 0755);
	/* the iSCSI fabric directory appears when its module loads */
	snprintf(p, sizeof(p), "%s/target/iscsi", f->root);
	mkdir(p, 0755);
	f->per_tpg = per_tpg_rtpi;
	f->be = (struct lc_backend){ fk_mkdir, fk_rmdir, fk_write, fk_symlink, fk_unlink, f };
	return f;
}

void fakecfs_free(struct fakecfs *f)
{
	size_t i;

	nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < f->ncounters; i++)
		free(f->counters[i].dev);
	free(f);
}

const char *fakecfs_root(const struct fakecfs *f)
{
	return f->root;
}

const struct lc_backend *fakecfs_backend(struct fakecfs *f)
{
	return &f->be;
}

unsigned long fakecfs_ops(const struct fakecfs *f)
{
	return f->ops;
}

char *fakecfs_snapshot(const struct fakecfs *f)
{
	char cmd[PATH_MAX + 200], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len), *p;
	int ch;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && find . | sort | while read -r x; do "
		 "if [ -L \"$x\" ]; then echo \"L $x -> $(readlink \"$x\")\"; "
		 "elif [ -f \"$x\" ]; then echo \"F $x = $(cat \"$x\")\"; else echo \"D $x\"; fi; done",
		 f->root);
	p = popen(cmd, "r");
	while (p && (ch = fgetc(p)) != EOF)
		fputc(ch, out);
	if (p)
		pclose(p);
	fclose(out);
	return buf;
}
