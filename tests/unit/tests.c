// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of libliocluster and the liocluster CLI, on a temporary
 * directory that stands in for configfs (fakecfs.c).  Runs under ASan and
 * UBSan (make unit).  Ends with "N passed, N failed".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "check.h"

int unit_failed_checks;
static const char *data_dir = "tests/unit/data";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	return buf;
}

static char *example(void)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/two-nodes.yaml", data_dir);
	return slurp(p);
}

/* The example with one text replaced (the first occurrence). */
static char *edited(const char *from, const char *to)
{
	char *s = example(), *at = strstr(s, from), *r;

	if (!at) {
		fprintf(stderr, "test bug: '%s' not in the example\n", from);
		exit(2);
	}
	r = calloc(1, strlen(s) - strlen(from) + strlen(to) + 1);
	memcpy(r, s, (size_t)(at - s));
	strcat(r, to);
	strcat(r, at + strlen(from));
	free(s);
	return r;
}

static struct lc_cluster *parse_ok(const char *text)
{
	struct lc_cluster *c = NULL;
	struct lc_error err = { "" };
	int ret = lc_cluster_parse(text, strlen(text), &c, &err);

	CHECK(ret == 0 && c, "parse failed: %s", err.msg);
	return c;
}

/* parse_ok, for text that is ours to free */
static struct lc_cluster *parse_own(char *text)
{
	struct lc_cluster *c = parse_ok(text);

	free(text);
	return c;
}

static struct lc_ctx *ctx_on(struct fakecfs *f, enum lc_rtpi_mode mode)
{
	struct lc_ctx *ctx = NULL;
	struct lc_error err;

	if (lc_ctx_new(fakecfs_root(f), &ctx, &err)) {
		fprintf(stderr, "ctx: %s\n", err.msg);
		exit(2);
	}
	lc_ctx_set_backend(ctx, fakecfs_backend(f));
	lc_ctx_set_rtpi_mode(ctx, mode);
	return ctx;
}

static size_t plan_count(struct lc_ctx *ctx, struct lc_cluster *c, const char *node)
{
	struct lc_plan *p = NULL;
	struct lc_error err;
	size_t n;

	if (lc_plan_node(ctx, c, node, &p, &err)) {
		CHECK(0, "plan: %s", err.msg);
		return (size_t)-1;
	}
	n = lc_plan_count(p);
	lc_plan_free(p);
	return n;
}

static int apply(struct lc_ctx *ctx, struct lc_cluster *c, const char *node,
		 struct lc_error *err)
{
	struct lc_plan *p = NULL;
	int ret = lc_plan_node(ctx, c, node, &p, err);

	if (!ret)
		ret = lc_apply(ctx, p, err);
	lc_plan_free(p);
	return ret;
}

/* --- the description ------------------------------------------------------ */

static void test_parse_example(void)
{
	struct lc_cluster *c = parse_own(example());

	if (!c)
		return;
	CHECK(!strcmp(lc_cluster_name(c), "unit"), "name %s", lc_cluster_name(c));
	CHECK_EQ_INT(lc_cluster_node_count(c), 2);
	CHECK_EQ_INT(c->ndevices, 2);
	CHECK_EQ_INT(c->devices[0].size, 16 << 20);
	CHECK(!strcmp(lc_device_path(&c->devices[1], "node-b"), "/srv/unit/lu1.img"), "path");
	CHECK(!strcmp(lc_device_path(&c->devices[1], "node-a"), "/var/lib/unit/lu1.img"), "path");
	CHECK_EQ_INT(c->nports, 4);
	/* RTPIs: a port's place in the list unless given */
	CHECK_EQ_INT(c->ports[0].rtpi, 1);
	CHECK_EQ_INT(c->ports[3].rtpi, 4);
	CHECK_EQ_INT(c->groups[1].state, 2);
	CHECK_EQ_INT(c->groups[1].transition_secs, 5);
	CHECK_EQ_INT(c->groups[0].access_type, 1);	/* implicit by default */
	CHECK_EQ_INT(c->acls[1].nluns, 1);
	CHECK_EQ_INT(c->hba_index, 7);
	lc_cluster_free(c);
}

static const struct bad {
	const char *from, *to, *says;
} bad_descriptions[] = {
	{ "cluster: unit", "cluster: ../unit", "cluster name" },
	{ "cluster: unit", "clustr: unit", "unknown key 'clustr'" },
	{ "- name: node-a\n  - name: node-b", "- name: node/a\n  - name: node-b", "node name" },
	{ "- name: node-b\ndevices", "- name: node-a\ndevices", "listed twice" },
	{ "name: lu0", "name: ../../etc", "device name" },
	{ "name: lu0", "name: .hidden", "device name" },
	{ "name: lu0", "name: \"lu 0\"", "device name" },
	{ "name: lu0", "name: lu0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "device name" },
	{ "backstore: rd_mcp", "backstore: pscsi", "backstore must be" },
	{ "size: 16M", "size: 16Q", "size must be" },
	{ "size: 16M", "size: -16M", "size must be" },
	{ "size: 16M", "size: 1000", "multiple of 4 KiB" },
	{ "path: /var/lib/unit/lu1.img", "path: var/lib/lu1.img", "absolute path" },
	{ "path: /var/lib/unit/lu1.img", "path: /var/lib/../../etc/shadow", "absolute path" },
	{ "path: /var/lib/unit/lu1.img", "path: /var/lib/a,fd_dev_size=1", "absolute path" },
	{ "node-b: /srv/unit/lu1.img", "node-c: /srv/unit/lu1.img", "no node 'node-c'" },
	{ "serial: unit-lu-0001", "serial: unit-lu-0000", "serial unit-lu-0000 is" },
	{ "serial: unit-lu-0000", "serial: \"a/b\"", "serial must be" },
	{ "company_id: 0x001405", "company_id: 0x1000000", "company_id must be" },
	{ "id: 2", "id: 1", "both have id 1" },
	{ "id: 2", "id: 0", "id must be" },
	{ "id: 2", "id: 65536", "id must be" },
	{ "state: standby", "state: sleepy", "state must be" },
	{ "state: standby", "state: transitioning", "state must be" },
	{ "preferred: true", "preferred: maybe", "preferred must be" },
	{ "node: node-a", "node: node-z", "no node 'node-z'" },
	{ "fabric: loopback", "fabric: srp", "fabric must be" },
	{ "wwn: naa.5001405aaaa00001", "wwn: naa.5001405aaaa0000/", "not a valid loopback" },
	{ "wwn: iqn.2026-11.com.example:unit.node-a", "wwn: iqn.2026-11.com.example/../x", "not a valid iscsi" },
	{ "wwn: iqn.2026-11.com.example:unit.node-a", "wwn: iqn..", "not a valid iscsi" },
	{ "wwn: \"21:00:00:24:ff:00:00:0b\"", "wwn: \"21:00:00:24:ff:00:00\"", "not a valid qla2xxx" },
	{ "tpg: 2", "tpg: 65536", "tpg must be" },
	{ "tpg: 1\n    group: grp-a\n    nexus", "tpg: 32\n    group: grp-a\n    nexus", "tpg must be" },
	{ "tpg: 2", "tpg: two", "tpg must be" },
	{ "group: grp-b", "group: grp-z", "no ALUA group 'grp-z'" },
	{ "nexus: naa.5001405bbbb00001", "nexus: iqn.x", "nexus is" },
	{ "    nexus: naa.5001405bbbb00001\n", "", "'nexus' is missing" },
	{ "portals: [\"192.0.2.10:3260\"", "portals: [\"192.0.2.10\"", "is not ip:port" },
	{ "portals: [\"192.0.2.10:3260\"", "portals: [\"192.0.2.10:99999\"", "is not ip:port" },
	{ "tpg: 1\n    group: grp-b\nluns", "tpg: 1\n    group: grp-b\n    portals: [\"1.2.3.4:3260\"]\nluns", "only iSCSI ports" },
	{ "group: grp-a\n    nexus", "group: grp-a\n    rtpi: 3\n    nexus", "both have RTPI 3" },
	{ "group: grp-a\n    nexus", "group: grp-a\n    rtpi: 0\n    nexus", "rtpi must be" },
	{ "wwn: iqn.2026-11.com.example:unit.node-b", "wwn: iqn.2026-11.com.example:unit.node-a", "is on nodes" },
	{ "lun: 1", "lun: 0", "LUN 0 is listed twice" },
	{ "lun: 1", "lun: 16384", "lun must be" },
	{ "device: lu1", "device: lu9", "no device 'lu9'" },
	{ "initiator: iqn.1994-05.com.redhat:client-1", "initiator: client-1", "not an iqn." },
	{ "initiator: iqn.1994-05.com.redhat:client-1", "initiator: iqn.1994-05.com.redhat:client-2", "listed twice" },
	{ "luns: [1]", "luns: [5]", "LUN 5 is not in 'luns'" },
	{ "luns: [1]", "luns: [1, 1]", "listed twice" },
	{ "luns: [1]", "luns: 1", "luns must be a list" },
	{ "cluster: unit", "cluster: [unit]", "must be a single value" },
	{ "cluster: unit", "cluster: \"un\\0it\"", "NUL" },
	{ "cluster: unit", "cluster: unit\ncluster: other", "given twice" },
	{ "cluster: unit", "cluster: 'unit", "line" },
	{ "nodes:\n  - name: node-a\n  - name: node-b\n", "nodes: 3\n", "must be a list" },
};

static void test_parse_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_descriptions) / sizeof(bad_descriptions[0]); i++) {
		const struct bad *b = &bad_descriptions[i];
		char *text = edited(b->from, b->to);
		struct lc_cluster *c = (struct lc_cluster *)&c;
		struct lc_error err = { "" };
		int ret = lc_cluster_parse(text, strlen(text), &c, &err);

		CHECK(ret == -EINVAL, "case %zu (%s): ret %d", i, b->to, ret);
		CHECK(c == NULL, "case %zu: a cluster was returned", i);
		CHECK(strstr(err.msg, b->says), "case %zu (%s): error '%s' lacks '%s'", i, b->to,
		      err.msg, b->says);
		lc_cluster_free(c);
		free(text);
	}
}

static void test_parse_edges(void)
{
	struct lc_cluster *c = NULL;
	struct lc_error err;
	static const char *const texts[] = { "", "---\n", "[]", "a: [", "\xff\xfe", "cluster: x\n" };
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		CHECK(lc_cluster_parse(texts[i], strlen(texts[i]), &c, &err) < 0, "text %zu accepted", i);
		CHECK(c == NULL, "text %zu", i);
	}
	CHECK(lc_cluster_load("/nonexistent/x.yaml", &c, &err) == -ENOENT, "missing file");
	CHECK_STR_HAS(err.msg, "/nonexistent/x.yaml");
	CHECK_EQ_INT(lc_state_parse("ao", &(int){ 0 }), 0);
	CHECK(lc_state_parse("bogus", &(int){ 0 }) < 0, "bogus state");
}

/* --- plan and apply --------------------------------------------------------- */

/* No path the plan writes may leave the configfs root. */
static void check_paths_contained(struct lc_plan *p)
{
	size_t i;

	for (i = 0; i < lc_plan_count(p); i++) {
		const char *path, *arg;
		enum lc_op_kind k = lc_plan_op(p, i, &path, &arg);

		CHECK(!strstr(path, "..") && !strstr(path, "//") && path[0] != '/',
		      "path %s", path);
		CHECK(!strncmp(path, "target/", 7), "path %s", path);
		if (k == LC_OP_SYMLINK)
			CHECK(!strstr(arg, "..") && !strncmp(arg, "target/", 7), "target %s", arg);
	}
}

static void test_apply_idempotent(enum lc_rtpi_mode mode)
{
	struct fakecfs *f = fakecfs_new(mode == LC_RTPI_PER_TPG);
	struct lc_ctx *ctx = ctx_on(f, mode);
	struct lc_cluster *c = parse_own(example());
	struct lc_plan *p = NULL;
	struct lc_report *r = NULL;
	struct lc_error err = { "" };
	size_t n;

	CHECK_EQ_INT(lc_plan_node(ctx, c, "node-a", &p, &err), 0);
	n = lc_plan_count(p);
	CHECK(n > 60, "a first plan of %zu operations", n);
	check_paths_contained(p);
	CHECK_EQ_INT(lc_apply(ctx, p, &err), 0);
	CHECK(!err.msg[0] || 1, "%s", err.msg);
	lc_plan_free(p);
	CHECK_EQ_INT(plan_count(ctx, c, "node-a"), 0);
	CHECK_EQ_INT(lc_verify(ctx, c, "node-a", true, &r, &err), 0);
	CHECK_EQ_INT(lc_report_count(r), 0);
	if (lc_report_count(r))
		lc_report_print(r, stderr, false);
	lc_report_free(r);

	/* what node-a has */
	{
		char *s = fakecfs_snapshot(f);

		CHECK_STR_HAS(s, "D ./target/loopback/naa.5001405aaaa00001/tpgt_1/lun/lun_0");
		CHECK_STR_HAS(s, "F ./target/loopback/naa.5001405aaaa00001/tpgt_1/nexus = naa.5001405bbbb00001");
		CHECK_STR_HAS(s, "D ./target/remote/iqn.2026-11.com.example:unit.node-b/tpgt_2/lun/lun_1");
		CHECK_STR_HAS(s, "D ./target/remote/fc.21000024ff00000b/tpgt_1/acls/iqn.1994-05.com.redhat:client-2/lun_1");
		CHECK(!strstr(s, "client-2/lun_0"), "client-2 maps only LUN 1");
		CHECK_STR_HAS(s, "F ./target/remote/fc.21000024ff00000b/tpgt_1/rtpi = 4");
		CHECK_STR_HAS(s, "F ./target/core/fileio_7/lu1/control = fd_dev_name=/var/lib/unit/lu1.img,fd_dev_size=8388608");
		CHECK_STR_HAS(s, "F ./target/core/rd_mcp_7/lu0/control = rd_pages=4096");
		CHECK_STR_HAS(s, "F ./target/core/rd_mcp_7/lu0/alua/grp-b/alua_access_state = 2");
		CHECK_STR_HAS(s, "F ./target/core/rd_mcp_7/lu0/alua/grp-b/implicit_trans_secs = 5");
		CHECK_STR_HAS(s, "F ./target/core/rd_mcp_7/lu0/alua/grp-a/alua_access_type = 1");
		CHECK_STR_HAS(s, "F ./target/iscsi/iqn.2026-11.com.example:unit.node-a/tpgt_1/enable = 1");
		CHECK_STR_HAS(s, "D ./target/iscsi/iqn.2026-11.com.example:unit.node-a/tpgt_1/np/[2001:db8::10]:3260");
		CHECK(!strstr(s, "./target/iscsi/iqn.2026-11.com.example:unit.node-b"), "B's port is not local");
		CHECK(!strstr(s, "./target/qla2xxx"), "B's FC port is not local to A");
		if (mode == LC_RTPI_PER_TPG)
			CHECK_STR_HAS(s, "F ./target/loopback/naa.5001405aaaa00001/tpgt_1/rtpi = 1");
		else
			CHECK(!strstr(s, "naa.5001405aaaa00001/tpgt_1/rtpi"), "no local rtpi before 6.4");
		free(s);
	}
	lc_cluster_free(c);
	lc_ctx_free(ctx);
	fakecfs_free(f);
}

/* Both nodes report the same RTPI for every port, on both kernel kinds. */
static void test_rtpi_consistent(enum lc_rtpi_mode mode)
{
	static const char *const nodes[] = { "node-a", "node-b" };
	struct lc_cluster *c = parse_own(example());
	size_t i;

	for (i = 0; i < 2; i++) {
		struct fakecfs *f = fakecfs_new(mode == LC_RTPI_PER_TPG);
		struct lc_ctx *ctx = ctx_on(f, mode);
		struct lc_error err = { "" };
		struct lc_report *r = NULL;
		char *s;

		CHECK(apply(ctx, c, nodes[i], &err) == 0, "%s: %s", nodes[i], err.msg);
		s = fakecfs_snapshot(f);
		/* port 1 (A's loopback), 3 (B's iSCSI tpg 2), 4 (B's FC), LUN 1 */
		CHECK_STR_HAS(s, "naa.5001405aaaa00001/tpgt_1/lun/lun_1/statistics/scsi_port/indx = 1");
		CHECK_STR_HAS(s, "unit.node-a/tpgt_1/lun/lun_1/statistics/scsi_port/indx = 2");
		CHECK_STR_HAS(s, "unit.node-b/tpgt_2/lun/lun_1/statistics/scsi_port/indx = 3");
		CHECK_STR_HAS(s, "tpgt_1/lun/lun_0/statistics/scsi_port/indx = 4");
		free(s);
		CHECK_EQ_INT(lc_verify(ctx, c, nodes[i], false, &r, &err), 0);
		CHECK_EQ_INT(lc_report_count(r), 0);
		lc_report_free(r);

		/* drift: a local LUN removed and linked again takes a new number */
		if (mode == LC_RTPI_PER_LUN && i == 0) {
			const struct lc_backend *be = fakecfs_backend(f);
			const char *lun = "target/loopback/naa.5001405aaaa00001/tpgt_1/lun/lun_0/lu0";

			CHECK_EQ_INT(be->unlink(be->priv, fakecfs_root(f), lun), 0);
			CHECK_EQ_INT(be->symlink(be->priv, fakecfs_root(f), "target/core/rd_mcp_7/lu0", lun), 0);
			CHECK_EQ_INT(lc_verify(ctx, c, nodes[i], false, &r, &err), 0);
			CHECK_EQ_INT(lc_report_count(r), 1);
			CHECK_STR_HAS(lc_report_line(r, 0), "rtpi drift");
			CHECK_STR_HAS(lc_report_line(r, 0), "reports RTPI 5, the cluster's is 1");
			lc_report_free(r);
		}
		lc_ctx_free(ctx);
		fakecfs_free(f);
	}
	lc_cluster_free(c);
}

/* Devices on one backstore share its HBA: created once, removed never. */
static void test_shared_hba(void)
{
	char *text = edited("  - name: lu1\n    backstore: fileio\n    size: 8M\n",
			    "  - name: lu2\n    backstore: rd_mcp\n    size: 4M\n    serial: unit-lu-0002\n  - name: lu1\n    backstore: fileio\n    size: 8M\n");
	struct lc_cluster *c = parse_own(text);
	struct fakecfs *f = fakecfs_new(1);
	struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
	struct lc_plan *p = NULL;
	struct lc_error err = { "" };
	size_t i, hba = 0;

	CHECK_EQ_INT(lc_plan_node(ctx, c, "node-a", &p, &err), 0);
	for (i = 0; i < lc_plan_count(p); i++) {
		const char *path, *arg;

		if (lc_plan_op(p, i, &path, &arg) == LC_OP_MKDIR && !strcmp(path, "target/core/rd_mcp_7"))
			hba++;
	}
	CHECK_EQ_INT(hba, 1);
	CHECK_EQ_INT(lc_apply(ctx, p, &err), 0);
	CHECK(!err.msg[0], "%s", err.msg);
	lc_plan_free(p);
	CHECK_EQ_INT(plan_count(ctx, c, "node-a"), 0);
	lc_ctx_free(ctx);
	fakecfs_free(f);
	lc_cluster_free(c);
}

static void test_explicit_rtpi_old_kernel(void)
{
	char *text = edited("group: grp-a\n    nexus", "group: grp-a\n    rtpi: 0x11\n    nexus");
	struct lc_cluster *c = parse_ok(text);
	struct fakecfs *f = fakecfs_new(0);
	struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_LUN);
	struct lc_plan *p = NULL;
	struct lc_error err = { "" };

	CHECK_EQ_INT(lc_plan_node(ctx, c, "node-a", &p, &err), -EOPNOTSUPP);
	CHECK_STR_HAS(err.msg, "numbers its own ports itself");
	/* the peer can mirror it: only node-a's own kernel cannot set it */
	CHECK_EQ_INT(lc_plan_node(ctx, c, "node-b", &p, &err), 0);
	lc_plan_free(p);
	lc_ctx_free(ctx);
	fakecfs_free(f);
	lc_cluster_free(c);
	free(text);
}

/* A changed description touches only what changed. */
static void test_incremental(void)
{
	struct fakecfs *f = fakecfs_new(1);
	struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
	struct lc_cluster *c = parse_own(example()), *c2;
	struct lc_plan *p = NULL;
	struct lc_error err = { "" };
	char *text;
	size_t i;

	CHECK_EQ_INT(apply(ctx, c, "node-a", &err), 0);

	/* one more ACL mapping LUN 1 only: ACL dir + 1 mapped LUN + 1 link, on 4 ports */
	text = edited("    luns: [1]\n", "    luns: [1]\n  - initiator: iqn.1994-05.com.redhat:client-3\n    luns: [1]\n");
	c2 = parse_ok(text);
	CHECK_EQ_INT(lc_plan_node(ctx, c2, "node-a", &p, &err), 0);
	CHECK_EQ_INT(lc_plan_count(p), 12);
	for (i = 0; i < lc_plan_count(p); i++) {
		const char *path, *arg;

		lc_plan_op(p, i, &path, &arg);
		CHECK_STR_HAS(path, "client-3");
	}
	CHECK_EQ_INT(lc_apply(ctx, p, &err), 0);
	lc_plan_free(p);
	CHECK_EQ_INT(plan_count(ctx, c2, "node-a"), 0);
	lc_cluster_free(c2);
	free(text);

	/* back to the original: the ACL goes, children first */
	CHECK_EQ_INT(lc_plan_node(ctx, c, "node-a", &p, &err), 0);
	CHECK_EQ_INT(lc_plan_count(p), 12);
	if (lc_plan_count(p)) {
		const char *path, *arg;

		CHECK_EQ_INT(lc_plan_op(p, 0, &path, &arg), LC_OP_UNLINK);
		CHECK_EQ_INT(lc_plan_op(p, 2, &path, &arg), LC_OP_RMDIR);
	}
	CHECK_EQ_INT(lc_apply(ctx, p, &err), 0);
	lc_plan_free(p);
	CHECK_EQ_INT(plan_count(ctx, c, "node-a"), 0);

	/* a group's preferred bit: one write per device */
	text = edited("    preferred: true\n", "    preferred: false\n");
	c2 = parse_ok(text);
	CHECK_EQ_INT(lc_plan_node(ctx, c2, "node-a", &p, &err), 0);
	CHECK_EQ_INT(lc_plan_count(p), 2);
	for (i = 0; i < lc_plan_count(p); i++) {
		const char *path, *arg;

		CHECK_EQ_INT(lc_plan_op(p, i, &path, &arg), LC_OP_WRITE);
		CHECK_STR_HAS(path, "alua/grp-a/preferred");
		CHECK(!strcmp(arg, "0"), "value %s", arg);
	}
	lc_plan_free(p);
	lc_cluster_free(c2);
	free(text);

	/* a peer port removed from the description: its mirror goes */
	text = edited("  - name: b-fc\n    node: node-b\n    fabric: fc\n    wwn: \"21:00:00:24:ff:00:00:0b\"\n    tpg: 1\n    group: grp-b\n", "");
	c2 = parse_ok(text);
	CHECK_EQ_INT(lc_plan_node(ctx, c2, "node-a", &p, &err), 0);
	CHECK(lc_plan_count(p) > 5, "%zu ops", lc_plan_count(p));
	for (i = 0; i < lc_plan_count(p); i++) {
		const char *path, *arg;
		enum lc_op_kind k = lc_plan_op(p, i, &path, &arg);

		CHECK(k == LC_OP_RMDIR || k == LC_OP_UNLINK, "op %d on %s", k, path);
		CHECK_STR_HAS(path, "target/remote/fc.21000024ff00000b");
	}
	CHECK_EQ_INT(lc_apply(ctx, p, &err), 0);
	lc_plan_free(p);
	CHECK(!lc_exists(ctx, "target/remote/fc.21000024ff00000b"), "mirror removed");
	CHECK_EQ_INT(plan_count(ctx, c2, "node-a"), 0);
	lc_cluster_free(c2);
	free(text);

	lc_cluster_free(c);
	lc_ctx_free(ctx);
	fakecfs_free(f);
}

/* A failure anywhere leaves the tree exactly as it was. */
static void test_rollback(void)
{
	struct lc_cluster *c = parse_own(example()), *c2;
	char *text = edited("  - name: b-fc\n    node: node-b\n    fabric: fc\n    wwn: \"21:00:00:24:ff:00:00:0b\"\n    tpg: 1\n    group: grp-b\n",
			    "  - name: b-fc\n    node: node-b\n    fabric: fc\n    wwn: \"21:00:00:24:ff:00:00:0c\"\n    tpg: 1\n    group: grp-a\n");
	struct lc_error err = { "" };
	size_t total, at;

	c2 = parse_ok(text);
	/* from nothing: fail at the first, a middle and the last operation */
	{
		struct fakecfs *f = fakecfs_new(1);
		struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
		char *before = fakecfs_snapshot(f);

		total = plan_count(ctx, c, "node-a");
		for (at = 1; at <= total; at += total / 7 + 1) {
			char *after;
			size_t which = at;

			lc_ctx_inject_failure(ctx, (unsigned int)which);
			CHECK_EQ_INT(apply(ctx, c, "node-a", &err), -EIO);
			CHECK_STR_HAS(err.msg, "(injected)");
			CHECK_STR_HAS(err.msg, "were undone");
			after = fakecfs_snapshot(f);
			CHECK(!strcmp(before, after), "failure at %zu of %zu left changes", which, total);
			free(after);
		}
		lc_ctx_inject_failure(ctx, (unsigned int)total);
		CHECK_EQ_INT(apply(ctx, c, "node-a", &err), -EIO);
		{
			char *after = fakecfs_snapshot(f);

			CHECK(!strcmp(before, after), "failure at the last operation left changes");
			free(after);
		}
		free(before);
		lc_ctx_free(ctx);
		fakecfs_free(f);
	}
	/* from a configured node, with removals, changes and additions */
	{
		struct fakecfs *f = fakecfs_new(1);
		struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
		char *before;

		lc_ctx_inject_failure(ctx, 0);
		CHECK_EQ_INT(apply(ctx, c, "node-a", &err), 0);
		before = fakecfs_snapshot(f);
		total = plan_count(ctx, c2, "node-a");
		CHECK(total > 10, "an update of %zu operations", total);
		for (at = 1; at <= total; at++) {
			char *after;

			lc_ctx_inject_failure(ctx, (unsigned int)at);
			CHECK_EQ_INT(apply(ctx, c2, "node-a", &err), -EIO);
			after = fakecfs_snapshot(f);
			CHECK(!strcmp(before, after), "update failing at %zu of %zu left changes", at, total);
			free(after);
		}
		lc_ctx_inject_failure(ctx, 0);
		CHECK_EQ_INT(apply(ctx, c2, "node-a", &err), 0);
		CHECK_EQ_INT(plan_count(ctx, c2, "node-a"), 0);
		free(before);
		lc_ctx_free(ctx);
		fakecfs_free(f);
	}
	/* a real refusal (the "kernel" says EINVAL) rolls back too */
	{
		struct fakecfs *f = fakecfs_new(1);
		struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
		char *before, *after;

		CHECK_EQ_INT(apply(ctx, c, "node-a", &err), 0);
		before = fakecfs_snapshot(f);
		CHECK(lc_set_state(ctx, c, "grp-a", 5, &err) < 0, "state 5 refused");
		after = fakecfs_snapshot(f);
		CHECK(!strcmp(before, after), "a refused state changed something");
		free(before);
		free(after);
		lc_ctx_free(ctx);
		fakecfs_free(f);
	}
	lc_cluster_free(c2);
	lc_cluster_free(c);
	free(text);
}

static void test_verify_finds(void)
{
	struct fakecfs *f = fakecfs_new(1);
	struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
	struct lc_cluster *c = parse_own(example());
	const struct lc_backend *be = fakecfs_backend(f);
	struct lc_report *r = NULL;
	struct lc_error err = { "" };
	char *all = NULL;
	size_t i, len = 0;
	FILE *m;

	CHECK_EQ_INT(apply(ctx, c, "node-a", &err), 0);
	/* three changes behind the tool's back */
	be->write(be->priv, fakecfs_root(f), "target/core/rd_mcp_7/lu0/alua/grp-a/preferred", "0");
	be->unlink(be->priv, fakecfs_root(f),
		   "target/remote/fc.21000024ff00000b/tpgt_1/acls/iqn.1994-05.com.redhat:client-1/lun_0/lun");
	be->mkdir(be->priv, fakecfs_root(f), "target/remote/naa.5001405999999999");
	be->write(be->priv, fakecfs_root(f), "target/core/rd_mcp_7/lu0/alua/grp-b/alua_access_state", "1");
	CHECK_EQ_INT(lc_verify(ctx, c, "node-a", false, &r, &err), 0);
	m = open_memstream(&all, &len);
	lc_report_print(r, m, false);
	fclose(m);
	CHECK_EQ_INT(lc_report_count(r), 3);
	CHECK_STR_HAS(all, "different: target/core/rd_mcp_7/lu0/alua/grp-a/preferred is '0'");
	CHECK_STR_HAS(all, "missing: target/remote/fc.21000024ff00000b/tpgt_1/acls/iqn.1994-05.com.redhat:client-1/lun_0/lun -> ");
	CHECK_STR_HAS(all, "extra: target/remote/naa.5001405999999999");
	lc_report_free(r);
	free(all);
	/* states only when asked */
	CHECK_EQ_INT(lc_verify(ctx, c, "node-a", true, &r, &err), 0);
	CHECK_EQ_INT(lc_report_count(r), 4);
	for (i = 0; i < lc_report_count(r); i++)
		if (strstr(lc_report_line(r, i), "state:"))
			CHECK_STR_HAS(lc_report_line(r, i), "is active/non-optimized, the description says standby");
	lc_report_free(r);
	lc_cluster_free(c);
	lc_ctx_free(ctx);
	fakecfs_free(f);
}

static void test_set_state(void)
{
	struct fakecfs *f = fakecfs_new(1);
	struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
	struct lc_cluster *c = parse_own(example());
	struct lc_error err = { "" };
	char *s;

	CHECK_EQ_INT(apply(ctx, c, "node-a", &err), 0);
	CHECK_EQ_INT(lc_set_state(ctx, c, "grp-b", 0, &err), 0);
	CHECK_EQ_INT(lc_set_state(ctx, c, "grp-a", 2, &err), 0);
	s = fakecfs_snapshot(f);
	CHECK_STR_HAS(s, "rd_mcp_7/lu0/alua/grp-b/alua_access_state = 0");
	CHECK_STR_HAS(s, "fileio_7/lu1/alua/grp-b/alua_access_state = 0");
	CHECK_STR_HAS(s, "rd_mcp_7/lu0/alua/grp-a/alua_access_state = 2");
	free(s);
	/* a re-apply keeps the states set-state chose */
	CHECK_EQ_INT(plan_count(ctx, c, "node-a"), 0);
	CHECK_EQ_INT(lc_set_state(ctx, c, "grp-z", 0, &err), -ENOENT);
	CHECK_STR_HAS(err.msg, "no ALUA group 'grp-z'");
	lc_cluster_free(c);
	lc_ctx_free(ctx);
	fakecfs_free(f);
}

/* --- the command line ----------------------------------------------------- */

static int run_cli(const char *args, char **out)
{
	char cmd[2048], *buf = NULL;
	size_t len = 0;
	FILE *p, *m;
	int ch, st;

	snprintf(cmd, sizeof(cmd), "build/liocluster-asan %s 2>&1", args);
	p = popen(cmd, "r");
	m = open_memstream(&buf, &len);
	while (p && (ch = fgetc(p)) != EOF)
		fputc(ch, m);
	fclose(m);
	st = p ? pclose(p) : -1;
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(void)
{
	struct fakecfs *f = fakecfs_new(1);
	struct lc_ctx *ctx = ctx_on(f, LC_RTPI_PER_TPG);
	struct lc_cluster *c = parse_own(example());
	struct lc_error err = { "" };
	char args[1024], *out = NULL, *before, *after;
	const char *cfg = "-c tests/unit/data/two-nodes.yaml";

	CHECK_EQ_INT(apply(ctx, c, "node-a", &err), 0);
	before = fakecfs_snapshot(f);

	CHECK_EQ_INT(run_cli("--help", &out), 0);
	CHECK_STR_HAS(out, "set-state GROUP STATE");
	free(out);
	CHECK_EQ_INT(run_cli("--version", NULL), 0);
	/* usage errors: exit 2, a sentence, nothing touched */
	static const char *const bad[] = { "", "frobnicate", "--bogus plan", "plan extra",
		"set-state grp-a", "--rtpi-mode sideways plan", "--inject-failure 0 apply",
		"--inject-failure x apply", "--inject-failure 3 plan", "--states plan", "-c" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(args, sizeof(args), "-r %s %s %s", fakecfs_root(f), i == 10 ? "" : cfg, bad[i]);
		CHECK_EQ_INT(run_cli(args, &out), 2);
		CHECK_STR_HAS(out, "liocluster: ");
		free(out);
	}
	snprintf(args, sizeof(args), "-r %s %s -n node-a set-state grp-a sleepy", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 2);
	CHECK_STR_HAS(out, "not an ALUA state");
	free(out);
	/* a bad description: exit 3 */
	CHECK_EQ_INT(run_cli("-c /nonexistent.yaml -n node-a plan", &out), 3);
	free(out);
	snprintf(args, sizeof(args), "-r %s %s -n node-z plan", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 4);
	CHECK_STR_HAS(out, "no node 'node-z'");
	free(out);
	after = fakecfs_snapshot(f);
	CHECK(!strcmp(before, after), "a refused command changed the tree");
	free(after);
	free(before);

	snprintf(args, sizeof(args), "%s check", cfg);
	CHECK_EQ_INT(run_cli(args, &out), 0);
	CHECK_STR_HAS(out, "valid");
	free(out);
	snprintf(args, sizeof(args), "-r %s %s -n node-a --rtpi-mode tpg plan", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 0);
	CHECK(out && !*out, "plan on a matching node prints nothing: '%s'", out);
	free(out);
	snprintf(args, sizeof(args), "-r %s %s -n node-a --rtpi-mode tpg --json plan", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 0);
	CHECK_STR_HAS(out, "{\"operations\":[],\"count\":0}");
	free(out);
	snprintf(args, sizeof(args), "-r %s %s -n node-a --rtpi-mode tpg verify", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 0);
	CHECK_STR_HAS(out, "matches the description");
	free(out);
	snprintf(args, sizeof(args), "-r %s %s -n node-a status", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 0);
	CHECK_STR_HAS(out, "group grp-b");
	CHECK_STR_HAS(out, "(remote)");
	free(out);
	snprintf(args, sizeof(args), "-r %s %s -n node-a --json status", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 0);
	CHECK_STR_HAS(out, "\"state\":\"standby\"");
	free(out);
	/* a difference: exit 1 */
	snprintf(args, sizeof(args), "-r %s %s -n node-a set-state grp-b ao", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 0);
	free(out);
	snprintf(args, sizeof(args), "-r %s %s -n node-a --rtpi-mode tpg verify --states", fakecfs_root(f), cfg);
	CHECK_EQ_INT(run_cli(args, &out), 1);
	CHECK_STR_HAS(out, "the description says standby");
	free(out);
	lc_cluster_free(c);
	lc_ctx_free(ctx);
	fakecfs_free(f);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "the example description parses", test_parse_example },
		{ "bad descriptions are refused with a clear error", test_parse_errors },
		{ "empty, broken and missing input", test_parse_edges },
		{ "apply, then nothing left to do (kernels 6.4+)", NULL },
		{ "apply, then nothing left to do (before 6.4)", NULL },
		{ "the same RTPIs on both nodes (6.4+)", NULL },
		{ "the same RTPIs on both nodes, drift found (before 6.4)", NULL },
		{ "an explicit local RTPI is refused before 6.4", test_explicit_rtpi_old_kernel },
		{ "devices on one backstore share its HBA", test_shared_hba },
		{ "a changed description touches only what changed", test_incremental },
		{ "a failure anywhere rolls everything back", test_rollback },
		{ "verify reports every difference", test_verify_finds },
		{ "set-state on every device", test_set_state },
		{ "the command line", test_cli },
	};
	int passed = 0, failed = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		data_dir = argv[1];
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int before = unit_failed_checks;

		switch (i) {
		case 3: test_apply_idempotent(LC_RTPI_PER_TPG); break;
		case 4: test_apply_idempotent(LC_RTPI_PER_LUN); break;
		case 5: test_rtpi_consistent(LC_RTPI_PER_TPG); break;
		case 6: test_rtpi_consistent(LC_RTPI_PER_LUN); break;
		default: tests[i].fn();
		}
		if (unit_failed_checks == before) {
			passed++;
			printf("ok %zu - %s\n", i + 1, tests[i].name);
		} else {
			failed++;
			printf("not ok %zu - %s\n", i + 1, tests[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
