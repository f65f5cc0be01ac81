// SPDX-License-Identifier: GPL-2.0
/*
 * stress - a seeded random stress of the remote fabric through configfs.
 *
 *   stress [-s SEED] [-n SEQS] [-o OPS] [-k K] [-w 1|2] [-q SEQ] [-H SECS] [-v] [-X]
 *
 * -q SEQ runs only sequence SEQ of the seed (a reproducer), -v prints every
 * operation, -X is the checker's self-test: at the final check one LUN's
 * indx is read as one more than it is, which I4 (and I1/I3 when they
 * apply) must report.
 *
 * Each sequence (its own random stream, derived from SEED and its number):
 *   1. loads tcm_remote if needed and builds a base: three backstores
 *      (rd_mcp_77/d0, rd_mcp_77/d1, fileio_77/f0), ALUA groups g1 (id 1) and
 *      g2 (id 2) on each, and two local tcm_loop ports with an I_T nexus;
 *   2. runs OPS random operations on /sys/kernel/config/target: mkdir and
 *      rmdir of remote WWNs (every name form, bad and aliasing names), TPGs
 *      (canonical and non-canonical tags), LUNs, ACLs and mapped LUNs;
 *      symlink/unlink of LUNs to backstores and of mapped LUNs; ALUA
 *      membership (lun_N/alua_tg_pt_gp); tpgt_N/rtpi and remote/local_rtpi
 *      writes; local tcm_loop LUNs on the same backstores; now and then the
 *      whole remote fabric removed, tcm_remote unloaded and loaded again
 *      while backstores and local ports stay populated;
 *   3. after every K operations and at the end checks the invariants:
 *      I1 a remote TPG whose rtpi reads non-zero: each of its linked LUNs'
 *         statistics/scsi_port/indx equals it;
 *      I2 each local_rtpi entry: its port's LUNs on devices with a remote LUN
 *         report the entry's value - once a point where the module applies
 *         the table (the entry written, a remote LUN linked to the device)
 *         came after the LUN was linked; before that, the LUN's number is
 *         the counter's and the mismatch is counted as "pending";
 *      I3 no two ports (TPGs) with LUNs on one device share an RTPI (two
 *         LUNs of one TPG on one device are one port: one RTPI is right)
 *         (where the module places
 *         RTPIs itself, i.e. remote/local_rtpi exists; on 6.4+ target core
 *         does not check uniqueness and duplicates are only counted);
 *      I4 REPORT TARGET PORT GROUPS through a tcm_loop disk of the device
 *         (SG_IO, the command sg_rtpg sends) lists exactly the RTPIs that the
 *         device's LUNs' indx files read (as multisets);
 *   4. tears everything down (the walk reads what exists), checks that only
 *      core/ is left, and unloads tcm_remote.
 *
 * -w 2: each round of K operations is run by two writers at once (fork),
 * with their own random streams; the invariants are checked between rounds.
 *
 * A supervising parent watches the worker's progress: a worker stuck for
 * -H seconds (a wedged configfs after a kernel BUG) or killed is reported,
 * with the figures so far.  Output: "STRESS ..." summary lines; one
 * "VIOLATION ..." line per broken invariant, and for the first one of a
 * sequence the successful operations up to it in cfsop batch form
 * ("# repro: ..."), a replayable reproducer.  Exit status: 0 when every
 * invariant held and every teardown and unload succeeded, 1 otherwise,
 * 3 when the worker hung or died.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <scsi/sg.h>

/* configfs paths here are short; a truncated one would only fail an op */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define T "/sys/kernel/config/target"
#define R T "/remote"
#define NDEV 3
#define NLOC 2			/* local tcm_loop ports */
#define NLLUN 3			/* random LUNs of a local port: lun_0..2 */
#define PROBE_LUN 10		/* lun_10+d: the checker's own, for RTPG */
#define MAXERR 200

/* ---- shared state: survives the worker, seen by both writers ---------- */

struct shared {
	long clock;			/* event stamps */
	long progress;
	long ops, rops, seqs, checks, rtpg_checks, rtpg_skipped;
	long errs[MAXERR];
	long violations, repeats, pending, dups_info;
	long teardown_fail, rmmod_fail, setup_fail, reloads;
	/* stamps for I2 */
	long loc_link[NLOC][PROBE_LUN + NDEV];	/* after the link returned */
	long dev_apply[NDEV];		/* before a remote link to the device */
	long pin_apply[NLOC + 1];	/* before a successful table write */
	int cur_seq;
	int repro_printed;
	long kind_tried[32], kind_ok[32];
};
static struct shared *sh;
static int cur_kind = -1;	/* the random operation under way, -1: none */

static unsigned long long seed = 1;
static int nseqs = 3, nops = 150, every = 25, writers = 1, only_seq = -1;
static int hang_secs = 30, verbose, sabotage;
static char ko_path[256];

/* ---- random numbers: splitmix64 --------------------------------------- */

static uint64_t rng;

static uint64_t next64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd(unsigned int n)
{
	return n ? next64() % n : 0;
}

static const char *pick(const char *const *v, unsigned int n)
{
	return v[rnd(n)];
}
#define PICK(a) pick(a, sizeof(a) / sizeof(a[0]))

static long stamp(void)
{
	return __atomic_add_fetch(&sh->clock, 1, __ATOMIC_SEQ_CST);
}

/* ---- the universe of names -------------------------------------------- */

static char long_wwn[256], long_acl[240], long_acl_ok[240];
static const char *nl_tag = "tpgt_1\n", *nl_wwn = "naa.5001405000000001\n";

/* good WWN names first; 3 and 4 alias (both port name 21000024ff000001) */
static const char *wwns_good[] = {
	"naa.5001405000000001", "iqn.2026-12.org.example:node-b",
	"eui.0123456789abcdef", "fc.21000024ff000001", "xfc.21000024ff000001",
	"0x1234abcd", "iqn.2005-10.org.example:fc.disk",
};
#define NWWN_HOT 4		/* most operations aim at these */
static const char *wwns_bad[] = {
	"node-b", "fc.", "0x", "NAA.5001405000000002", NULL /* long */,
	NULL /* newline */, "version",
};
static const char *tags_good[] = { "tpgt_1", "tpgt_2", "tpgt_0", "tpgt_300" };
static const char *tags_bad[] = {
	"tpgt_01", "tpgt_+2", NULL /* newline */, "tpgt_65536", "tpgt_",
	"tpgt_x", "tpg_1", "tpgt_002", "tpgt_65535",
};
static const char *luns[] = { "lun_0", "lun_1", "lun_2", "lun_3" };
static const char *acls[] = {
	"iqn.2026-12.org.example:i1", "iqn.2026-12.org.example:i2",
	"naa.5001405ccc000001",
};
static const char *mluns[] = { "lun_0", "lun_1", "lun_2" };
static const char *devs[NDEV] = {
	"rd_mcp_77/d0", "rd_mcp_77/d1", "fileio_77/f0",
};
static const char *rtpis[] = {
	"1", "2", "3", "4", "5", "0x10", "7", "2", "3",
	"0", "65536", "abc", "-1",
};
static const char *locs[NLOC] = { "naa.5001405aaaa00001", "naa.5001405aaaa00002" };
static const char *nexus[NLOC] = { "naa.5001405bbbb00001", "naa.5001405bbbb00002" };
/* local_rtpi keys: the two local ports and one that does not exist */
static const char *pin_keys[NLOC + 1] = {
	"loopback/naa.5001405aaaa00001/tpgt_1",
	"loopback/naa.5001405aaaa00002/tpgt_1",
	"loopback/naa.5001405aaaa00009/tpgt_1",
};
static const char *pin_bad[] = {
	"remote/naa.5001405000000001/tpgt_1 3", "loopback/x/tpgt_01 3",
	"loopback/x 3", "garbage", "loopback/x/tpgt_1 3 4", "core/x/tpgt_1 2",
	"loopback/x/tpgt_1 65536",
};
static const char *groups[] = { "g1", "g2", "default_tg_pt_gp", "nosuch" };

static void init_names(void)
{
	memset(long_wwn, '0', 255);
	memcpy(long_wwn, "naa.", 4);
	long_wwn[255] = '\0';
	wwns_bad[4] = long_wwn;
	wwns_bad[5] = nl_wwn;
	tags_bad[2] = nl_tag;
	memset(long_acl, '7', 224);	/* 224 bytes: refused by ours */
	memcpy(long_acl, "iqn.", 4);
	long_acl[224] = '\0';
	memset(long_acl_ok, '7', 223);
	memcpy(long_acl_ok, "iqn.", 4);
	long_acl_ok[223] = '\0';
}

/* ---- operations --------------------------------------------------------- */

/* the successful state changes of this sequence, for a reproducer */
static char *oplog;
static size_t oplog_len, oplog_cap;

static void logop(const char *fmt, ...)
{
	char line[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (verbose)
		printf("# op: %s\n", line);
	if (writers > 1)
		return;
	if (oplog_len + n + 2 > oplog_cap) {
		oplog_cap = (oplog_cap + n + 2) * 2;
		oplog = realloc(oplog, oplog_cap);
		if (!oplog)
			exit(2);
	}
	memcpy(oplog + oplog_len, line, n);
	oplog_len += n;
	oplog[oplog_len++] = '\n';
	oplog[oplog_len] = '\0';
}

/* printable form of a name (newlines shown as \n) */
static const char *shown(const char *s)
{
	static char b[4][600];
	static int i;
	char *o = b[i++ % 4];
	size_t n = 0;

	for (; *s && n < sizeof(b[0]) - 3; s++) {
		if (*s == '\n') {
			o[n++] = '\\';
			o[n++] = 'n';
		} else {
			o[n++] = *s;
		}
	}
	o[n] = '\0';
	return o;
}

static const char *errname(int e);
static const char *cur_path = "";	/* for -v */

static int done(int ret)
{
	int e = errno;

	if (verbose && ret < 0)
		printf("# op failed: %s %s\n", errname(e), cur_path);
	__atomic_add_fetch(&sh->ops, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->progress, 1, __ATOMIC_RELAXED);
	if (cur_kind >= 0) {
		__atomic_add_fetch(&sh->kind_tried[cur_kind], 1, __ATOMIC_RELAXED);
		if (ret >= 0)
			__atomic_add_fetch(&sh->kind_ok[cur_kind], 1, __ATOMIC_RELAXED);
	}
	if (ret < 0) {
		__atomic_add_fetch(&sh->errs[e < MAXERR ? e : 0], 1, __ATOMIC_RELAXED);
		errno = e;
		return -1;
	}
	return 0;
}

static int op_mkdir(const char *p)
{
	cur_path = p;
	int r = done(mkdir(p, 0755));

	if (!r)
		logop("mkdir %s", shown(p));
	return r;
}

static int op_rmdir(const char *p)
{
	cur_path = p;
	int r = done(rmdir(p));

	if (!r)
		logop("rmdir %s", shown(p));
	return r;
}

static int op_symlink(const char *target, const char *link)
{
	cur_path = link;
	int r = done(symlink(target, link));

	if (!r)
		logop("symlink %s %s", shown(target), shown(link));
	return r;
}

static int op_unlink(const char *p)
{
	cur_path = p;
	int r = done(unlink(p));

	if (!r)
		logop("unlink %s", shown(p));
	return r;
}

static int op_write(const char *p, const char *v)
{
	int fd = open(p, O_WRONLY), r;
	ssize_t n;

	cur_path = p;
	if (fd < 0)
		return done(-1);
	n = write(fd, v, strlen(v));
	r = n < 0 ? -1 : 0;
	if (r) {
		int e = errno;

		close(fd);
		errno = e;
	} else {
		close(fd);
	}
	r = done(r);
	if (!r)
		logop("write %s %s", shown(p), v);
	return r;
}

static int read_file(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int op_read(const char *p)
{
	char buf[4096];

	return done(read_file(p, buf, sizeof(buf)));
}

static int exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static int loaded(void)
{
	return exists("/sys/module/tcm_remote");
}

static int op_insmod(void)
{
	int fd = open(ko_path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		printf("# stress: cannot open %s: %s\n", ko_path, strerror(errno));
		return done(-1);
	}
	r = done(syscall(SYS_finit_module, fd, "", 0));
	close(fd);
	if (!r) {
		logop("# insmod tcm_remote");
		sh->reloads++;
	}
	return r;
}

static int op_rmmod(void)
{
	int r = done(syscall(SYS_delete_module, "tcm_remote", O_NONBLOCK));

	if (!r)
		logop("rmmod tcm_remote");
	return r;
}

/* ---- paths of the universe -------------------------------------------- */

static char *pth(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, 1024, fmt, ap);
	va_end(ap);
	return buf;
}

static const char *hot_wwn(void)
{
	return rnd(4) ? wwns_good[rnd(NWWN_HOT)] : PICK(wwns_good);
}

static const char *any_tag(void)
{
	return rnd(8) ? PICK(tags_good) : PICK(tags_bad);
}

/* a remote TPG path, preferring one whose existence is @want */
/*
 * Most operations need their parents: when the picked object is missing
 * (or, for a mkdir, its parent is), three times in four its missing
 * ancestors are made first, so that the trees grow.
 */
static void materialise(const char *path)
{
	char p[1024];
	size_t i, base = strlen(T) + 1;

	snprintf(p, sizeof(p), "%s", path);
	for (i = base; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (!exists(p))
			op_mkdir(p);
		p[i] = '/';
	}
	if (!exists(p))
		op_mkdir(p);
}

static void grow(const char *path, int want)
{
	char parent[1024];

	if (exists(path) || rnd(4) == 0)
		return;
	if (want) {
		materialise(path);
		return;
	}
	snprintf(parent, sizeof(parent), "%s", path);
	*strrchr(parent, '/') = '\0';
	if (!exists(parent))
		materialise(parent);
}

static char *remote_tpg(char *buf, int want)
{
	int i;

	for (i = 0; i < 6; i++) {
		pth(buf, R "/%s/%s", hot_wwn(), rnd(3) ? tags_good[rnd(2)] : PICK(tags_good));
		if (exists(buf) == want)
			break;
	}
	grow(buf, want);
	return buf;
}

static char *remote_lun(char *buf, int want)
{
	char tpg[1024];
	int i;

	for (i = 0; i < 6; i++) {
		remote_tpg(tpg, 1);
		pth(buf, "%s/lun/%s", tpg, PICK(luns));
		if (exists(buf) == want)
			break;
	}
	grow(buf, want);
	return buf;
}

static char *local_lun(char *buf, int *port, int *lun, int want)
{
	int i;

	for (i = 0; i < 6; i++) {
		*port = rnd(NLOC);
		*lun = rnd(NLLUN);
		pth(buf, T "/loopback/%s/tpgt_1/lun/lun_%d", locs[*port], *lun);
		if (exists(buf) == want)
			break;
	}
	grow(buf, want);
	return buf;
}

static int dev_of_link(const char *lundir)
{
	char p[1100], t[1100];
	ssize_t n;
	int d;

	pth(p, "%s/port", lundir);
	n = readlink(p, t, sizeof(t) - 1);
	if (n < 0)
		return -1;
	t[n] = '\0';
	for (d = 0; d < NDEV; d++) {
		size_t l = strlen(devs[d]);

		if ((size_t)n >= l && !strcmp(t + n - l, devs[d]))
			return d;
	}
	return -1;
}

/* ---- the random operations ---------------------------------------------- */

static void remote_fabric_clear(void);
static void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* the kinds of random operation: their share ends at kind_end[] of 100 */
static const unsigned char kind_end[] = {
	5, 7, 15, 18, 28, 31, 44, 49, 54, 57, 63, 73, 80, 84, 91, 93, 94, 97, 98, 99, 100,
};
static const char *const kind_name[] = {
	"wwn_mkdir", "wwn_rmdir", "tpg_mkdir", "tpg_rmdir", "lun_mkdir", "lun_rmdir",
	"lun_link", "lun_unlink", "alua_member", "acl", "mapped_lun", "tpg_rtpi",
	"local_rtpi", "local_lun", "local_link", "local_tpg_rtpi", "alua_group", "read",
	"fabric_dir", "rmmod_busy", "reload",
};

static void one_op(int may_reload)
{
	char a[1024], b[1024], c[1024];
	unsigned int k = rnd(100);
	int port, lun, d;
	long s;

	__atomic_add_fetch(&sh->rops, 1, __ATOMIC_RELAXED);
	for (cur_kind = 0; k >= kind_end[cur_kind]; cur_kind++)
		;
	if (k < 5) {			/* WWN mkdir */
		if (rnd(5))
			op_mkdir(pth(a, R "/%s", PICK(wwns_good)));
		else
			op_mkdir(pth(a, R "/%s", PICK(wwns_bad)));
	} else if (k < 7) {		/* WWN rmdir */
		op_rmdir(pth(a, R "/%s", PICK(wwns_good)));
	} else if (k < 15) {		/* TPG mkdir */
		if (rnd(4))
			op_mkdir(remote_tpg(a, 0));
		else
			op_mkdir(pth(a, R "/%s/%s", hot_wwn(), any_tag()));
	} else if (k < 18) {		/* TPG rmdir */
		op_rmdir(remote_tpg(a, 1));
	} else if (k < 28) {		/* LUN mkdir */
		if (rnd(10))
			op_mkdir(remote_lun(a, 0));
		else
			op_mkdir(pth(a, "%s/lun/%s", remote_tpg(b, 1),
				     rnd(2) ? "lun_x" : "lun_-1"));
	} else if (k < 31) {		/* LUN rmdir */
		op_rmdir(remote_lun(a, 1));
	} else if (k < 44) {		/* link a remote LUN to a backstore */
		remote_lun(a, 1);
		d = rnd(NDEV);
		pth(b, "%s/port", a);
		if (!rnd(12))
			pth(c, T "/core/rd_mcp_77");	/* not a device */
		else
			pth(c, T "/core/%s", devs[d]);
		s = stamp();
		if (!op_symlink(c, b) && strstr(c, devs[d]))
			__atomic_store_n(&sh->dev_apply[d], s, __ATOMIC_SEQ_CST);
	} else if (k < 49) {		/* unlink a remote LUN */
		op_unlink(pth(b, "%s/port", remote_lun(a, 1)));
	} else if (k < 54) {		/* ALUA membership */
		if (rnd(3))
			remote_lun(a, 1);
		else
			local_lun(a, &port, &lun, 1);
		op_write(pth(b, "%s/alua_tg_pt_gp", a), PICK(groups));
	} else if (k < 57) {		/* ACL mkdir/rmdir */
		remote_tpg(b, 1);
		if (rnd(3)) {
			unsigned int v = rnd(10);

			op_mkdir(pth(a, "%s/acls/%s", b, v == 0 ? long_acl :
				     v == 1 ? long_acl_ok : PICK(acls)));
		} else {
			op_rmdir(pth(a, "%s/acls/%s", b, PICK(acls)));
		}
	} else if (k < 63) {		/* mapped LUNs */
		remote_tpg(b, 1);
		pth(a, "%s/acls/%s/%s", b, PICK(acls), PICK(mluns));
		grow(a, 1);
		switch (rnd(4)) {
		case 0:
			op_mkdir(a);
			break;
		case 1:
			op_rmdir(a);
			break;
		case 2:
			pth(c, "%s/map", a);
			if (rnd(8))
				pth(a, "%s/lun/%s", b, PICK(luns));
			else	/* another TPG's LUN */
				remote_lun(a, 1);
			op_symlink(a, c);
			break;
		default:
			op_unlink(pth(c, "%s/map", a));
		}
	} else if (k < 73) {		/* tpgt_N/rtpi */
		op_write(pth(b, "%s/rtpi", remote_tpg(a, 1)), PICK(rtpis));
	} else if (k < 80) {		/* local_rtpi */
		pth(a, R "/local_rtpi");
		if (!exists(a)) {
			op_read(R "/version");
		} else if (rnd(8)) {
			int i = rnd(NLOC + 1);
			const char *v = PICK(rtpis);

			pth(b, "%s %s", pin_keys[i], v);
			s = stamp();
			if (!op_write(a, b) && strcmp(v, "0"))
				__atomic_store_n(&sh->pin_apply[i], s, __ATOMIC_SEQ_CST);
		} else {
			op_write(a, PICK(pin_bad));
		}
	} else if (k < 84) {		/* local LUN mkdir/rmdir */
		if (rnd(2))
			op_mkdir(local_lun(a, &port, &lun, 0));
		else
			op_rmdir(local_lun(a, &port, &lun, 1));
	} else if (k < 91) {		/* local LUN link/unlink */
		if (rnd(3)) {
			local_lun(a, &port, &lun, 1);
			d = rnd(NDEV);
			if (!op_symlink(pth(c, T "/core/%s", devs[d]),
					pth(b, "%s/port", a)))
				__atomic_store_n(&sh->loc_link[port][lun], stamp(),
						 __ATOMIC_SEQ_CST);
		} else {
			op_unlink(pth(b, "%s/port", local_lun(a, &port, &lun, 1)));
		}
	} else if (k < 93) {		/* a local TPG's rtpi (6.4+ only) */
		pth(a, T "/loopback/%s/tpgt_1/rtpi", locs[rnd(NLOC)]);
		if (exists(a))
			op_write(a, PICK(rtpis));
		else
			op_read(R "/version");
	} else if (k < 94) {		/* an ALUA group goes or comes */
		d = rnd(NDEV);
		pth(a, T "/core/%s/alua/g%d", devs[d], 1 + (int)rnd(2));
		if (exists(a)) {
			op_rmdir(a);
		} else if (!op_mkdir(a)) {
			op_write(pth(b, "%s/tg_pt_gp_id", a), a[strlen(a) - 1] == '1' ? "1" : "2");
			op_write(pth(b, "%s/alua_access_state", a), rnd(2) ? "1" : "2");
		}
	} else if (k < 97) {		/* reads */
		switch (rnd(3)) {
		case 0:
			op_read(R "/local_rtpi");
			break;
		case 1:
			op_read(pth(b, "%s/rtpi", remote_tpg(a, 1)));
			break;
		default:
			op_read(pth(b, "%s/statistics/scsi_port/indx", remote_lun(a, 1)));
		}
	} else if (k < 98) {		/* the fabric directory itself */
		if (rnd(2))
			op_rmdir(R);		/* ENOTEMPTY unless empty */
		else
			op_mkdir(R);
	} else if (k < 99) {		/* rmmod while populated: refused */
		int had = exists(R);

		if (op_rmmod() == 0) {
			if (had)
				violation("tcm_remote unloaded while %s existed", R);
			op_insmod();
			op_mkdir(R);
		}
	} else if (may_reload && !rnd(4)) {
		/* the remote fabric goes, the module is unloaded and loaded
		 * again while backstores and local ports stay */
		remote_fabric_clear();
		if (!op_rmmod())
			op_insmod();
		else
			sh->rmmod_fail++, printf("VIOLATION seq=%d: rmmod tcm_remote with no remote/ failed: %s\n",
						 sh->cur_seq, strerror(errno));
		op_mkdir(R);
	} else {
		op_read(R "/version");
	}
}

/* ---- teardown ----------------------------------------------------------- */

static int td_fail;

static void td(int r, const char *what, const char *p)
{
	if (r) {
		td_fail++;
		printf("# teardown: %s %s: %s\n", what, shown(p), strerror(errno));
	}
}

/* unlink every symlink directly in @dir */
static void unlink_links(const char *dir)
{
	char p[2048];
	struct dirent *e;
	DIR *dh = opendir(dir);

	if (!dh)
		return;
	while ((e = readdir(dh)))
		if (e->d_type == DT_LNK) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			td(op_unlink(p), "unlink", p);
		}
	closedir(dh);
}

/* apply @fn to every subdirectory of @dir (not . and ..) */
static void each_dir(const char *dir, void (*fn)(const char *))
{
	char p[2048];
	struct dirent *e;
	DIR *dh = opendir(dir);

	if (!dh)
		return;
	while ((e = readdir(dh))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		fn(p);
	}
	closedir(dh);
}

static void td_rmdir(const char *p) { td(op_rmdir(p), "rmdir", p); }
static void td_mlun(const char *p) { unlink_links(p); td_rmdir(p); }
static void td_mlun_only(const char *p)
{
	/* an ACL's own default groups (attrib, auth, param, ...) stay */
	if (!strncmp(strrchr(p, '/') + 1, "lun_", 4))
		td_mlun(p);
}

static void td_acl(const char *p) { each_dir(p, td_mlun_only); td_rmdir(p); }
static void td_lun(const char *p) { unlink_links(p); td_rmdir(p); }

static void td_tpg(const char *p)
{
	char q[2048];

	snprintf(q, sizeof(q), "%s/acls", p);
	each_dir(q, td_acl);
	snprintf(q, sizeof(q), "%s/lun", p);
	each_dir(q, td_lun);
	td_rmdir(p);
}

static void td_tpg_only(const char *p)
{
	const char *n = strrchr(p, '/') + 1;

	/* a WWN's own default groups stay */
	if (strcmp(n, "fabric_statistics") && strcmp(n, "param"))
		td_tpg(p);
}

static void td_wwn(const char *p)
{
	each_dir(p, td_tpg_only);
	td_rmdir(p);
}

static void td_fabric(const char *p)
{
	struct dirent *e;
	char q[2048];
	DIR *dh = opendir(p);

	if (!dh)
		return;
	while ((e = readdir(dh))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
		    !strcmp(e->d_name, "discovery_auth"))
			continue;
		snprintf(q, sizeof(q), "%s/%s", p, e->d_name);
		td_wwn(q);
	}
	closedir(dh);
	td_rmdir(p);
}

static void clear_pins(void)
{
	char buf[8192], *l, *sp, *save = NULL;

	if (read_file(R "/local_rtpi", buf, sizeof(buf)))
		return;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char w[600];

		sp = strrchr(l, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		snprintf(w, sizeof(w), "%s 0", l);
		td(op_write(R "/local_rtpi", w), "write local_rtpi", w);
	}
}

static void remote_fabric_clear(void)
{
	clear_pins();
	if (exists(R))
		td_fabric(R);
}

static void td_dev(const char *p)
{
	char q[2048];
	struct dirent *e;
	DIR *dh;

	snprintf(q, sizeof(q), "%s/alua", p);
	dh = opendir(q);
	if (dh) {
		while ((e = readdir(dh))) {
			char g[2100];

			if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
			    !strcmp(e->d_name, "default_tg_pt_gp"))
				continue;
			snprintf(g, sizeof(g), "%s/%s", q, e->d_name);
			td_rmdir(g);
		}
		closedir(dh);
	}
	td_rmdir(p);
}

static void td_hba(const char *p)
{
	const char *n = strrchr(p, '/') + 1;

	if (!strcmp(n, "alua"))
		return;
	each_dir(p, td_dev);
	td_rmdir(p);
}

/* everything goes; returns the number of failed steps */
static int teardown(void)
{
	struct dirent *e;
	DIR *dh;
	char p[2048];
	int left = 0;

	td_fail = 0;
	remote_fabric_clear();
	dh = opendir(T);
	if (dh) {
		while ((e = readdir(dh))) {
			if (e->d_type != DT_DIR || e->d_name[0] == '.' || !strcmp(e->d_name, "core"))
				continue;
			snprintf(p, sizeof(p), T "/%s", e->d_name);
			td_fabric(p);
		}
		closedir(dh);
	}
	each_dir(T "/core", td_hba);
	/* only core/ with its alua/ must be left */
	dh = opendir(T);
	while (dh && (e = readdir(dh)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.' && strcmp(e->d_name, "core")) {
			printf("# teardown: left %s\n", e->d_name);
			left++;
		}
	if (dh)
		closedir(dh);
	dh = opendir(T "/core");
	while (dh && (e = readdir(dh)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.' && strcmp(e->d_name, "alua")) {
			printf("# teardown: left core/%s\n", e->d_name);
			left++;
		}
	if (dh)
		closedir(dh);
	return td_fail + left;
}

/* ---- setup -------------------------------------------------------------- */

static int setup(void)
{
	char a[1024], b[1024];
	int d, g, i, bad = 0;

	if (!loaded() && op_insmod())
		return -1;
	bad |= op_mkdir(R) && errno != EEXIST;
	bad |= op_mkdir(T "/core/rd_mcp_77");
	bad |= op_mkdir(T "/core/fileio_77");
	for (d = 0; d < NDEV && !bad; d++) {
		pth(a, T "/core/%s", devs[d]);
		bad |= op_mkdir(a);
		bad |= op_write(pth(b, "%s/control", a), d < 2 ? "rd_pages=64" :
				"fd_dev_name=/tmp/stress-f0.img,fd_dev_size=1048576");
		snprintf(b, sizeof(b), "%s/wwn/vpd_unit_serial", a);
		bad |= op_write(b, d == 0 ? "stress-d0" : d == 1 ? "stress-d1" : "stress-f0");
		bad |= op_write(pth(b, "%s/enable", a), "1");
		for (g = 1; g <= 2; g++) {
			char id[4];

			snprintf(id, sizeof(id), "%d", g);
			bad |= op_mkdir(pth(b, "%s/alua/g%d", a, g));
			bad |= op_write(pth(b, "%s/alua/g%d/tg_pt_gp_id", a, g), id);
			bad |= op_write(pth(b, "%s/alua/g%d/alua_access_state", a, g),
					rnd(2) ? "1" : "2");
		}
	}
	if (!exists(T "/loopback"))
		bad |= op_mkdir(T "/loopback");
	for (i = 0; i < NLOC && !bad; i++) {
		bad |= op_mkdir(pth(a, T "/loopback/%s", locs[i]));
		bad |= op_mkdir(pth(a, T "/loopback/%s/tpgt_1", locs[i]));
		bad |= op_write(pth(b, "%s/nexus", a), nexus[i]);
	}
	return bad ? -1 : 0;
}

/* ---- the invariants ----------------------------------------------------- */

struct ent {
	int remote;		/* a remote LUN, or a local (loopback) one */
	int port;		/* local port index, -1 when not one of ours */
	int lunno;		/* N of lun_N */
	int dev;		/* -1: not linked to one of our devices */
	long indx;		/* statistics/scsi_port/indx, -1 unreadable */
	long tpg_rtpi;		/* tpgt_N/rtpi, -1 when absent */
	char tpg[600];		/* fabric/wwn/tpgt_N */
	char tpgdir[1100];
};

#define MAXENT 512
static struct ent ents[MAXENT];
static int nents;

static long read_num(const char *p)
{
	char buf[64];

	if (read_file(p, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 0);
}

static void collect_fabric(const char *fabric)
{
	char fp[1100], wp[1400], tp[1700], lp[2000], q[2100];
	struct dirent *w, *t, *l;
	DIR *wd, *td_, *ld;

	snprintf(fp, sizeof(fp), T "/%s", fabric);
	wd = opendir(fp);
	if (!wd)
		return;
	while ((w = readdir(wd))) {
		if (w->d_type != DT_DIR || w->d_name[0] == '.')
			continue;
		snprintf(wp, sizeof(wp), "%s/%s", fp, w->d_name);
		td_ = opendir(wp);
		if (!td_)
			continue;
		while ((t = readdir(td_))) {
			long rt;

			if (t->d_type != DT_DIR || strncmp(t->d_name, "tpgt_", 5))
				continue;
			snprintf(tp, sizeof(tp), "%s/%s", wp, t->d_name);
			snprintf(q, sizeof(q), "%s/rtpi", tp);
			rt = read_num(q);
			snprintf(lp, sizeof(lp), "%s/lun", tp);
			ld = opendir(lp);
			if (!ld)
				continue;
			while ((l = readdir(ld)) && nents < MAXENT) {
				struct ent *e = &ents[nents];
				int i;

				if (l->d_type != DT_DIR || strncmp(l->d_name, "lun_", 4))
					continue;
				memset(e, 0, sizeof(*e));
				e->remote = !strcmp(fabric, "remote");
				e->port = -1;
				for (i = 0; i < NLOC && !e->remote; i++)
					if (!strcmp(w->d_name, locs[i]) && !strcmp(t->d_name, "tpgt_1"))
						e->port = i;
				e->lunno = atoi(l->d_name + 4);
				e->tpg_rtpi = rt;
				snprintf(e->tpg, sizeof(e->tpg), "%s/%s/%s", fabric, w->d_name, t->d_name);
				snprintf(e->tpgdir, sizeof(e->tpgdir), "%s", tp);
				snprintf(q, sizeof(q), "%s/%s", lp, l->d_name);
				e->dev = dev_of_link(q);
				snprintf(q, sizeof(q), "%s/%s/statistics/scsi_port/indx", lp, l->d_name);
				e->indx = e->dev >= 0 ? read_num(q) : -1;
				nents++;
			}
			closedir(ld);
		}
		closedir(td_);
	}
	closedir(wd);
}

static void collect(void)
{
	nents = 0;
	collect_fabric("remote");
	collect_fabric("loopback");
}

static void dump_repro(void)
{
	if (writers > 1 || sh->repro_printed == sh->cur_seq + 1)
		return;
	sh->repro_printed = sh->cur_seq + 1;
	printf("# repro: seed %llu sequence %d (stress -s %llu -q %d -o %d -k %d); the successful operations, cfsop batch form:\n",
	       seed, sh->cur_seq, seed, sh->cur_seq, nops, every);
	if (oplog) {
		char *l, *save = NULL, *copy = strdup(oplog);

		for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			printf("# repro: %s\n", l);
		free(copy);
	}
}

/* a violation still there at the next check is counted once per sequence */
#define MAXSEEN 64
static char seen[MAXSEEN][256];
static int nseen, seen_seq = -1;

static void violation(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (seen_seq != sh->cur_seq) {
		nseen = 0;
		seen_seq = sh->cur_seq;
	}
	for (i = 0; i < nseen; i++)
		if (!strcmp(seen[i], msg)) {
			sh->repeats++;
			return;
		}
	if (nseen < MAXSEEN)
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", msg);
	sh->violations++;
	printf("VIOLATION seed=%llu seq=%d op=%ld: %s\n", seed, sh->cur_seq, sh->progress, msg);
	dump_repro();
}

/* REPORT TARGET PORT GROUPS through the sg device of a local LUN; the
 * RTPIs it lists go to @out; returns their number, or -1 */
static int rtpg(const struct ent *e, int *out, int max)
{
	char p[1300], addr[64], sgname[64] = "";
	unsigned char cdb[12] = { 0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0 };
	unsigned char buf[4096], sense[64];
	struct dirent *de;
	int h, tg, fd, tries, n = 0;
	unsigned int len, o;
	DIR *dh;

	snprintf(p, sizeof(p), "%s/address", e->tpgdir);
	if (read_file(p, addr, sizeof(addr)) || sscanf(addr, "%d:0:%d", &h, &tg) != 2)
		return -1;
	snprintf(p, sizeof(p), "/sys/bus/scsi/devices/%d:0:%d:%d/scsi_generic", h, tg, e->lunno);
	dh = opendir(p);
	if (!dh)
		return -1;
	while ((de = readdir(dh)))
		if (!strncmp(de->d_name, "sg", 2))
			snprintf(sgname, sizeof(sgname), "/dev/%s", de->d_name);
	closedir(dh);
	fd = open(sgname, O_RDWR);
	if (fd < 0)
		return -1;
	for (tries = 0; tries < 5; tries++) {
		struct sg_io_hdr io;

		memset(&io, 0, sizeof(io));
		memset(buf, 0, sizeof(buf));
		io.interface_id = 'S';
		io.dxfer_direction = SG_DXFER_FROM_DEV;
		io.cmd_len = sizeof(cdb);
		io.cmdp = cdb;
		io.dxfer_len = sizeof(buf);
		io.dxferp = buf;
		io.mx_sb_len = sizeof(sense);
		io.sbp = sense;
		io.timeout = 20000;
		if (ioctl(fd, SG_IO, &io) < 0)
			break;
		if ((io.info & SG_INFO_OK_MASK) == SG_INFO_OK)
			goto got;
		/* a unit attention (sense key 6): ask again, as an initiator does */
	}
	close(fd);
	return -1;
got:
	close(fd);
	len = (buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]) + 4;
	if (len > sizeof(buf))
		len = sizeof(buf);
	for (o = 4; o + 8 <= len;) {
		unsigned int cnt = buf[o + 7], i;

		for (i = 0; i < cnt && o + 8 + i * 4 + 4 <= len; i++)
			if (n < max)
				out[n++] = buf[o + 8 + i * 4 + 2] << 8 | buf[o + 8 + i * 4 + 3];
		o += 8 + cnt * 4;
	}
	return n;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void list_ints(char *o, size_t len, const int *v, int n)
{
	size_t u = 0;
	int i;

	o[0] = '\0';
	for (i = 0; i < n && u + 8 < len; i++)
		u += snprintf(o + u, len - u, "%s%d", i ? "," : "", v[i]);
}

/* a local LUN of the checker's own on every device without one, so that
 * RTPG can be asked through it (final check only) */
static void probe_luns(void)
{
	char a[1024], b[1100], c[1024];
	int d, i, has;

	for (d = 0; d < NDEV; d++) {
		has = 0;
		for (i = 0; i < nents; i++)
			if (!ents[i].remote && ents[i].port >= 0 && ents[i].dev == d)
				has = 1;
		if (has)
			continue;
		pth(a, T "/loopback/%s/tpgt_1/lun/lun_%d", locs[0], PROBE_LUN + d);
		if (!exists(a) && op_mkdir(a))
			continue;
		snprintf(b, sizeof(b), "%s/port", a);
		if (!op_symlink(pth(c, T "/core/%s", devs[d]), b))
			sh->loc_link[0][PROBE_LUN + d] = stamp();
	}
}

static void check(int final)
{
	char buf[8192], *l, *save = NULL;
	int d, i, j, has_own = exists(R "/local_rtpi");
	int remote_on[NDEV] = { 0 };

	sh->checks++;
	collect();
	if (final) {
		probe_luns();
		collect();
		/* -X: the checker's self-test; a wrong reading must be caught */
		for (i = 0; i < nents && sabotage; i++)
			if (ents[i].dev >= 0) {
				ents[i].indx += 1;
				break;
			}
	}
	for (i = 0; i < nents; i++)
		if (ents[i].remote && ents[i].dev >= 0)
			remote_on[ents[i].dev] = 1;

	/* I1: a remote TPG's non-zero rtpi is its LUNs' RTPI */
	for (i = 0; i < nents; i++) {
		struct ent *e = &ents[i];

		if (!e->remote || e->dev < 0 || e->tpg_rtpi <= 0)
			continue;
		if (e->indx != e->tpg_rtpi)
			violation("I1 %s/lun_%d on %s: rtpi reads %#lx, indx %ld", e->tpg,
				  e->lunno, devs[e->dev], e->tpg_rtpi, e->indx);
	}

	/* I2: local_rtpi entries */
	if (has_own && !read_file(R "/local_rtpi", buf, sizeof(buf))) {
		for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *sp = strrchr(l, ' ');
			long v;
			int key = -1;

			if (!sp)
				continue;
			*sp = '\0';
			v = strtol(sp + 1, NULL, 0);
			for (j = 0; j < NLOC + 1; j++)
				if (!strcmp(l, pin_keys[j]))
					key = j;
			for (i = 0; i < nents; i++) {
				struct ent *e = &ents[i];
				long linked, applied;

				if (e->remote || e->dev < 0 || !remote_on[e->dev] ||
				    strcmp(e->tpg, l) || e->indx == v)
					continue;
				linked = e->port >= 0 ? sh->loc_link[e->port][e->lunno] : 0;
				applied = sh->dev_apply[e->dev];
				if (key >= 0 && sh->pin_apply[key] > applied)
					applied = sh->pin_apply[key];
				if (e->port >= 0 && linked && applied > linked)
					violation("I2 local_rtpi says %s has RTPI %ld; its lun_%d on %s reports %ld (linked at event %ld, table applied at event %ld)",
						  l, v, e->lunno, devs[e->dev], e->indx, linked, applied);
				else
					sh->pending++;
			}
		}
	}

	/* I3: one device, distinct RTPIs */
	for (d = 0; d < NDEV; d++)
		for (i = 0; i < nents; i++)
			for (j = i + 1; j < nents; j++) {
				struct ent *x = &ents[i], *y = &ents[j];

				/* two LUNs of one port on one device are one port */
				if (x->dev != d || y->dev != d || x->indx != y->indx ||
				    !strcmp(x->tpg, y->tpg))
					continue;
				if (has_own)
					violation("I3 %s/lun_%d and %s/lun_%d on %s both have RTPI %ld",
						  x->tpg, x->lunno, y->tpg, y->lunno, devs[d], x->indx);
				else
					sh->dups_info++;
			}

	/* I4: RTPG lists what indx reads */
	for (d = 0; d < NDEV; d++) {
		int got[256], want[256], ng = -1, nw = 0;
		char gs[1200], ws[1200];

		for (i = 0; i < nents && ng < 0; i++)
			if (!ents[i].remote && ents[i].port >= 0 && ents[i].dev == d)
				ng = rtpg(&ents[i], got, 256);
		if (ng < 0) {
			sh->rtpg_skipped++;
			if (final)
				violation("I4 %s: no tcm_loop disk answered RTPG", devs[d]);
			continue;
		}
		sh->rtpg_checks++;
		for (i = 0; i < nents; i++)
			if (ents[i].dev == d && nw < 256)
				want[nw++] = (int)ents[i].indx;
		qsort(got, ng, sizeof(int), cmp_int);
		qsort(want, nw, sizeof(int), cmp_int);
		if (ng != nw || memcmp(got, want, nw * sizeof(int))) {
			list_ints(gs, sizeof(gs), got, ng);
			list_ints(ws, sizeof(ws), want, nw);
			violation("I4 %s: RTPG lists {%s}, the LUNs' indx read {%s}", devs[d], gs, ws);
		}
	}
}

/* ---- sequences, writers, supervisor ------------------------------------ */

static void seed_stream(int seq, int round, int writer)
{
	rng = seed * 0x100000001b3ULL ^ (uint64_t)seq << 40 ^ (uint64_t)round << 16 ^ (uint64_t)writer;
	next64();
}

static int run_sequence(int seq)
{
	int done_ops = 0, round = 0, fails = 0, reload_done = 0;

	sh->cur_seq = seq;
	oplog_len = 0;
	if (oplog)
		oplog[0] = '\0';
	memset(sh->loc_link, 0, sizeof(sh->loc_link));
	memset(sh->dev_apply, 0, sizeof(sh->dev_apply));
	memset(sh->pin_apply, 0, sizeof(sh->pin_apply));
	seed_stream(seq, 0, 0);
	if (setup()) {
		printf("# stress: seq %d: the base could not be built\n", seq);
		sh->setup_fail++;
		fails++;
	}
	while (!fails && done_ops < nops) {
		int n = nops - done_ops < every ? nops - done_ops : every, i, w;

		round++;
		if (writers > 1) {
			pid_t pid[2];

			for (w = 0; w < writers; w++) {
				pid[w] = fork();
				if (pid[w] == 0) {
					seed_stream(seq, round, w + 1);
					for (i = 0; i < n / writers; i++) {
						one_op(0);
						cur_kind = -1;
					}
					fflush(stdout);
					_exit(0);
				}
			}
			for (w = 0; w < writers; w++)
				if (pid[w] > 0)
					waitpid(pid[w], NULL, 0);
		} else {
			for (i = 0; i < n; i++) {
				/* one reload per sequence at most: it takes a while */
				int before = sh->reloads;

				one_op(!reload_done);
				cur_kind = -1;
				if (sh->reloads != before)
					reload_done = 1;
			}
		}
		done_ops += n;
		check(done_ops >= nops);
	}
	if (teardown()) {
		sh->teardown_fail++;
		printf("VIOLATION seed=%llu seq=%d: the teardown failed\n", seed, seq);
		dump_repro();
	}
	if (loaded() && op_rmmod()) {
		sh->rmmod_fail++;
		printf("VIOLATION seed=%llu seq=%d: rmmod tcm_remote after the teardown: %s\n",
		       seed, seq, strerror(errno));
		dump_repro();
	}
	sh->seqs++;
	fflush(stdout);
	return 0;
}

static const char *errname(int e)
{
	static const struct { int no; const char *name; } n[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { EXDEV, "EXDEV" }, { ENODEV, "ENODEV" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" }, { EAGAIN, "EAGAIN" },
		{ ENOSYS, "ENOSYS" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ENXIO, "ENXIO" },
		{ EFAULT, "EFAULT" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" },
	};
	static char b[16];
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (n[i].no == e)
			return n[i].name;
	snprintf(b, sizeof(b), "E%d", e);
	return b;
}

static void report(const char *state)
{
	long errs = 0;
	int e;

	printf("STRESS seed=%llu writers=%d sequences=%ld operations=%ld random_operations=%ld checks=%ld rtpg_checks=%ld violations=%ld repeated=%ld teardown_failures=%ld rmmod_failures=%ld setup_failures=%ld reloads=%ld pending=%ld duplicates_6.4+=%ld state=%s\n",
	       seed, writers, sh->seqs, sh->ops, sh->rops, sh->checks, sh->rtpg_checks, sh->violations, sh->repeats,
	       sh->teardown_fail, sh->rmmod_fail, sh->setup_fail, sh->reloads, sh->pending,
	       sh->dups_info, state);
	printf("STRESS errors:");
	for (e = 0; e < MAXERR; e++)
		if (sh->errs[e]) {
			printf(" %s=%ld", errname(e), sh->errs[e]);
			errs += sh->errs[e];
		}
	printf(" (total %ld)\n", errs);
	printf("STRESS kinds (succeeded/tried):");
	for (e = 0; e < (int)(sizeof(kind_name) / sizeof(kind_name[0])); e++)
		printf(" %s=%ld/%ld", kind_name[e], sh->kind_ok[e], sh->kind_tried[e]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct utsname u;
	pid_t worker;
	long last = -1;
	time_t since;
	int c, status = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "s:n:o:k:w:q:H:vX")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': nseqs = atoi(optarg); break;
		case 'o': nops = atoi(optarg); break;
		case 'k': every = atoi(optarg); break;
		case 'w': writers = atoi(optarg) == 2 ? 2 : 1; break;
		case 'q': only_seq = atoi(optarg); break;
		case 'H': hang_secs = atoi(optarg); break;
		case 'v': verbose = 1; break;
		case 'X': sabotage = 1; break;
		default:
			fprintf(stderr, "usage: stress [-s SEED] [-n SEQS] [-o OPS] [-k K] [-w 1|2] [-q SEQ] [-H SECS] [-v] [-X]\n");
			return 2;
		}
	}
	if (every < 1)
		every = 1;
	uname(&u);
	snprintf(ko_path, sizeof(ko_path), "/lib/modules/%s/extra/tcm_remote.ko", u.release);
	init_names();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	worker = fork();
	if (worker == 0) {
		int s;

		for (s = 0; s < nseqs; s++)
			if (only_seq < 0 || s == only_seq)
				run_sequence(s);
		fflush(stdout);
		_exit(0);
	}
	since = time(NULL);
	for (;;) {
		pid_t r = waitpid(worker, &status, WNOHANG);

		if (r == worker)
			break;
		if (sh->progress != last) {
			last = sh->progress;
			since = time(NULL);
		} else if (time(NULL) - since > hang_secs) {
			printf("STRESS hung: no operation finished for %d s (seq %d, op %ld); a wedged configfs?\n",
			       hang_secs, sh->cur_seq, sh->progress);
			report("hung");
			return 3;
		}
		usleep(200000);
	}
	if (WIFSIGNALED(status)) {
		printf("STRESS worker killed by signal %d (seq %d)\n", WTERMSIG(status), sh->cur_seq);
		report("killed");
		return 3;
	}
	report("done");
	return sh->violations || sh->teardown_fail || sh->rmmod_fail || sh->setup_fail ? 1 : 0;
}
