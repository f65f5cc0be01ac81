// SPDX-License-Identifier: GPL-2.0
/*
 * liocluster - apply one cluster description to this node's LIO target.
 * A thin command line over libliocluster: options, one table of commands,
 * and printing (output.c).  See liocluster(8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "liocluster.h"
#include "output.h"

#define VERSION "2.0"

enum exit_code {
	EXIT_OK = 0,
	EXIT_DIFFERENT = 1,	/* verify: the node does not match */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_DESCRIPTION = 3,	/* the description (or secrets file) is not valid */
	EXIT_FAILED = 4,	/* an operation failed; everything was undone */
	EXIT_BUSY = 5,		/* another writer holds the node's lock */
	EXIT_STUCK = 6,		/* a rollback could not undo everything */
};

struct cli {
	const char *config, *secrets, *root, *state_dir, *cluster, *secrets_out;
	char node[256];
	bool node_given, json, verbose, adopt, mirrors;
	enum lc_rtpi_mode mode;
	double wait;
	unsigned long inject;
	char *states[64];	/* apply --state GROUP=STATE */
	size_t nstates;
	char command[512];
	struct lc_cluster *c;
	struct lc_ctx *ctx;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A library error as an exit code */
static int failed(int ret, const struct lc_error *err)
{
	fprintf(stderr, "liocluster: %s\n", err->msg);
	if (ret == -EBUSY)
		return EXIT_BUSY;
	if (ret == -ENOTRECOVERABLE)
		return EXIT_STUCK;
	return EXIT_FAILED;
}

static int cmd_check(struct cli *cli, char **argv)
{
	size_t i;

	(void)argv;
	if (cli->json) {
		printf("{\"cluster\":");
		json_str(stdout, lc_cluster_name(cli->c));
		printf(",\"valid\":true,\"nodes\":%zu,\"ports\":[", lc_cluster_node_count(cli->c));
	} else {
		printf("%s: cluster %s, %zu nodes: valid\n", cli->config, lc_cluster_name(cli->c),
		       lc_cluster_node_count(cli->c));
	}
	for (i = 0; i < lc_cluster_port_count(cli->c); i++) {
		const char *label, *node, *group;
		unsigned int rtpi;
		bool given;

		lc_cluster_port(cli->c, i, &label, &node, &group, &rtpi, &given);
		if (cli->json) {
			printf("%s{\"port\":", i ? "," : "");
			json_str(stdout, label);
			printf(",\"node\":");
			json_str(stdout, node);
			printf(",\"group\":");
			json_str(stdout, group);
			printf(",\"rtpi\":%u,\"rtpi_given\":%s}", rtpi, given ? "true" : "false");
		} else {
			printf("  port %-28s node %-12s group %-12s RTPI %u%s\n", label, node, group,
			       rtpi, given ? "" : " (derived)");
		}
	}
	if (cli->json)
		printf("]}\n");
	return EXIT_OK;
}

static int cmd_plan(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_plan *p;
	int ret;

	(void)argv;
	ret = lc_plan_node(cli->ctx, cli->c, cli->node, &p, &err);
	if (ret)
		return failed(ret, &err);
	print_plan(p, cli->node, cli->json, cli->verbose, stdout);
	lc_plan_free(p);
	return EXIT_OK;
}

static int cmd_apply(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_plan *p = NULL;
	double t0 = now();
	int ret;

	(void)argv;
	ret = lc_apply(cli->ctx, cli->c, cli->node, &p, &err);
	if (ret) {
		ret = failed(ret, &err);
		print_left(p, stderr);
		lc_plan_free(p);
		return ret;
	}
	if (cli->verbose)
		print_plan(p, cli->node, false, true, stdout);
	print_applied(p, cli->node, now() - t0, cli->json, stdout);
	lc_plan_free(p);
	return EXIT_OK;
}

static int cmd_clear(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_plan *p = NULL;
	double t0 = now();
	int ret;

	(void)argv;
	ret = lc_clear(cli->ctx, cli->c, cli->node, cli->mirrors, &p, &err);
	if (ret) {
		ret = failed(ret, &err);
		print_left(p, stderr);
		lc_plan_free(p);
		return ret;
	}
	print_applied(p, cli->node, now() - t0, cli->json, stdout);
	lc_plan_free(p);
	return EXIT_OK;
}

static int cmd_verify(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_report *r;
	int ret;

	(void)argv;
	ret = lc_verify(cli->ctx, cli->c, cli->node, &r, &err);
	if (ret)
		return failed(ret, &err);
	print_report(r, cli->node, cli->json, stdout);
	ret = lc_report_count(r) ? EXIT_DIFFERENT : EXIT_OK;
	if (!cli->json) {
		if (ret)
			fprintf(stderr, "%s: %zu differences from the description\n", cli->node,
				lc_report_count(r));
		else
			printf("%s: matches the description\n", cli->node);
	}
	lc_report_free(r);
	return ret;
}

static int parse_state(const char *s, int *state)
{
	if (lc_state_parse(s, state)) {
		fprintf(stderr, "liocluster: '%.40s' is not an ALUA state (active/optimized, active/non-optimized, standby, unavailable, offline)\n",
			s);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int cmd_set_state(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	int state, ret;

	ret = parse_state(argv[1], &state);
	if (ret)
		return ret;
	ret = lc_set_state(cli->ctx, cli->c, argv[0], state, &err);
	if (ret)
		return failed(ret, &err);
	if (cli->json) {
		printf("{\"node\":");
		json_str(stdout, cli->node);
		printf(",\"group\":");
		json_str(stdout, argv[0]);
		printf(",\"state\":");
		json_str(stdout, lc_state_name(state));
		printf("}\n");
	} else {
		printf("%s: group %s is %s on every device\n", cli->node, argv[0],
		       lc_state_name(state));
	}
	return EXIT_OK;
}

static int cmd_get_state(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	int state, wanted, ret;

	ret = lc_get_state(cli->ctx, cli->c, argv[0], &state, &wanted, &err);
	if (ret)
		return failed(ret, &err);
	if (cli->json) {
		printf("{\"group\":");
		json_str(stdout, argv[0]);
		printf(",\"state\":");
		json_str(stdout, state < 0 ? "mixed" : lc_state_name(state));
		printf(",\"wanted\":");
		json_str(stdout, lc_state_name(wanted));
		printf("}\n");
	} else {
		printf("%s\n", state < 0 ? "mixed" : lc_state_name(state));
	}
	return state < 0 || state != wanted ? EXIT_DIFFERENT : EXIT_OK;
}

static int cmd_requests(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_stpg *r;
	size_t i, n;
	int ret;

	(void)argv;
	ret = lc_stpg_requests(cli->ctx, cli->c, &r, &n, &err);
	if (ret)
		return failed(ret, &err);
	if (cli->json)
		printf("[");
	for (i = 0; i < n; i++) {
		if (cli->json) {
			printf("%s{\"group\":", i ? "," : "");
			json_str(stdout, r[i].group);
			printf(",\"device\":");
			json_str(stdout, r[i].device);
			printf(",\"state\":");
			json_str(stdout, lc_state_name(r[i].state));
			printf(",\"wanted\":");
			json_str(stdout, lc_state_name(r[i].wanted));
			printf("}");
		} else {
			printf("%s %s %s %s\n", r[i].group, lc_state_name(r[i].state),
			       lc_state_name(r[i].wanted), r[i].device);
		}
	}
	if (cli->json)
		printf("]\n");
	free(r);
	return n ? EXIT_DIFFERENT : EXIT_OK;
}

static int cmd_groups(struct cli *cli, char **argv)
{
	const char *node = argv[0] ? argv[0] : cli->node;
	size_t i, n = 0;

	if (!node || !*node) {
		fprintf(stderr, "liocluster: groups: name a node\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < lc_cluster_node_count(cli->c); i++)
		n += !strcmp(lc_cluster_node(cli->c, i), node);
	if (!n) {
		fprintf(stderr, "liocluster: no node '%.64s' in cluster %s\n", node,
			lc_cluster_name(cli->c));
		return EXIT_FAILED;
	}
	for (i = 0; i < lc_cluster_group_count(cli->c); i++)
		if (lc_cluster_node_in_group(cli->c, node, lc_cluster_group(cli->c, i)))
			printf("%s\n", lc_cluster_group(cli->c, i));
	return EXIT_OK;
}

static int cmd_status(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_status *s;
	int ret;

	(void)argv;
	ret = lc_status(cli->ctx, cli->c, cli->node, &s, &err);
	if (ret)
		return failed(ret, &err);
	print_status(s, cli->node, cli->json, !cli->json && isatty(STDOUT_FILENO), stdout);
	lc_status_free(s);
	return EXIT_OK;
}

static int default_node(struct cli *cli);

/* A description made (import, merge): printed only once it parses as a
 * description; an import's secrets go to their file, never to stdout */
static int emit(struct cli *cli, const struct lc_cluster *c, const char *header,
		const struct lc_import *imp)
{
	struct lc_error err = { "" };
	struct lc_cluster *check = NULL;
	struct lc_doc *d = lc_cluster_doc(c);
	char *buf = NULL, msg[600];
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m) {
		lc_doc_free(d);
		fprintf(stderr, "liocluster: out of memory\n");
		return EXIT_FAILED;
	}
	fputs(header, m);
	print_doc(d, m);
	fclose(m);
	lc_doc_free(d);
	if (lc_cluster_parse_unresolved(buf, len, &check, &err)) {
		fprintf(stderr, "liocluster: the description made does not parse (a bug; please report it): %s\n",
			err.msg);
		free(buf);
		return EXIT_FAILED;
	}
	lc_cluster_free(check);
	if (imp && cli->secrets_out && write_secrets(cli->secrets_out, imp, msg, sizeof(msg))) {
		fprintf(stderr, "liocluster: %s\n", msg);
		free(buf);
		return EXIT_FAILED;
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	return EXIT_OK;
}

static int cmd_import(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_import *imp = NULL;
	struct lc_ctx *ctx = NULL;
	char header[512];
	size_t i;
	int ret;

	(void)argv;
	if (default_node(cli)) {
		fprintf(stderr, "liocluster: cannot read the host name; give --node\n");
		return EXIT_USAGE;
	}
	if (lc_ctx_new(cli->root, &ctx, &err)) {
		fprintf(stderr, "liocluster: %s\n", err.msg);
		return EXIT_FAILED;
	}
	lc_ctx_set_rtpi_mode(ctx, cli->mode);
	ret = lc_import(ctx, cli->node, cli->cluster ? cli->cluster : "cluster", &imp, &err);
	lc_ctx_free(ctx);
	if (ret)
		return failed(ret, &err);
	for (i = 0; i < lc_import_note_count(imp); i++)
		fprintf(stderr, "# %s\n", lc_import_note(imp, i));
	if (lc_import_secret_count(imp) && !cli->secrets_out) {
		fprintf(stderr, "liocluster: %s has CHAP secrets: give --secrets-out FILE for them (written mode 0600, never printed)\n",
			cli->node);
		lc_import_free(imp);
		return EXIT_USAGE;
	}
	snprintf(header, sizeof(header),
		 "# liocluster import of node %.64s: review it, then apply it with --adopt (docs/import.md)\n",
		 cli->node);
	ret = emit(cli, lc_import_cluster(imp), header, imp);
	lc_import_free(imp);
	return ret;
}

static int cmd_merge(struct cli *cli, char **argv)
{
	struct lc_error err = { "" };
	struct lc_cluster *c = NULL;
	char header[256];
	size_t n = 0;
	int ret;

	while (argv[n])
		n++;
	ret = lc_merge((const char *const *)argv, n, cli->cluster, &c, &err);
	if (ret) {
		fprintf(stderr, "liocluster: %s\n", err.msg);
		return EXIT_DESCRIPTION;
	}
	snprintf(header, sizeof(header),
		 "# liocluster merge of %zu imports: review it, then apply it on each node (docs/import.md)\n",
		 n);
	ret = emit(cli, c, header, NULL);
	lc_cluster_free(c);
	return ret;
}

#define NEEDS_NODE	0x1	/* and a configfs context */
#define NO_DESCRIPTION	0x2	/* reads no description (-c) */

static const struct command {
	const char *name;
	const char *args;
	int min, max;
	unsigned int flags;
	const char *help;
	int (*run)(struct cli *cli, char **argv);
} commands[] = {
	{ "check", "", 0, 0, 0, "validate the description; print every port's RTPI", cmd_check },
	{ "plan", "", 0, 0, NEEDS_NODE, "what apply would do: a summary, the operations with -v", cmd_plan },
	{ "apply", "", 0, 0, NEEDS_NODE, "make this node match the description (all or nothing)", cmd_apply },
	{ "verify", "", 0, 0, NEEDS_NODE, "report every difference; exit 1 if any", cmd_verify },
	{ "set-state", "GROUP STATE", 2, 2, NEEDS_NODE, "set an ALUA group's state on every device", cmd_set_state },
	{ "get-state", "GROUP", 1, 1, NEEDS_NODE, "a group's live state (exit 1: mixed or not the kept one)", cmd_get_state },
	{ "requests", "", 0, 0, NEEDS_NODE, "explicit ALUA: groups an initiator moved here by STPG (GROUP STATE KEPT DEVICE; exit 1 if any)", cmd_requests },
	{ "status", "", 0, 0, NEEDS_NODE, "the node's LIO tree, marked: local, mirror, foreign, drift", cmd_status },
	{ "groups", "[NODE]", 0, 1, 0, "the ALUA groups of a node's ports", cmd_groups },
	{ "clear", "", 0, 0, NEEDS_NODE, "remove what liocluster made here (--mirrors: the remote fabric's only)", cmd_clear },
	{ "import", "", 0, 0, NO_DESCRIPTION, "describe this node's live LIO setup (targetcli's): YAML on stdout", cmd_import },
	{ "merge", "FILE...", 1, 64, NO_DESCRIPTION, "merge nodes' imports into the cluster's description", cmd_merge },
};

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: liocluster [OPTIONS] COMMAND [ARGS]\n\ncommands:\n", f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-22s %s\n", left, commands[i].help);
	}
	fputs("\noptions:\n"
	      "  -c, --config FILE      the cluster description (default /etc/liocluster/cluster.yaml)\n"
	      "      --secrets FILE     CHAP secrets, mode 0600 (default /etc/liocluster/secrets if it exists)\n"
	      "  -n, --node NAME        this node (default: /etc/liocluster/node-name, else the host name)\n"
	      "  -r, --configfs DIR     configfs mount point (default /sys/kernel/config)\n"
	      "      --state-dir DIR    ownership, journal, states and lock (default /run/liocluster)\n"
	      "      --rtpi-mode MODE   auto, tpg (Linux 6.4+) or lun (before): how the kernel numbers ports\n"
	      "      --wait SECONDS     how long a writer waits for another (default 60)\n"
	      "      --adopt            take over objects the description names that liocluster did not make\n"
	      "      --state GROUP=STATE  apply: keep GROUP in STATE (as set-state, in the same run)\n"
	      "      --mirrors          clear: the remote fabric's objects only\n"
	      "      --cluster NAME     import, merge: the cluster's name\n"
	      "      --secrets-out FILE import: write the CHAP secrets there (mode 0600)\n"
	      "      --json             machine-readable output\n"
	      "  -v, --verbose          plan and apply: list the operations\n"
	      "      --inject-failure N apply, set-state: fail the Nth operation, to test the rollback\n"
	      "  -h, --help             this text\n"
	      "  -V, --version          the version\n"
	      "\nstates: active/optimized (ao), active/non-optimized (an), standby, unavailable, offline\n"
	      "exit: 0 done or matching, 1 differences, 2 usage, 3 bad description, 4 failed (undone),\n"
	      "      5 another writer holds the lock, 6 a rollback could not undo everything\n",
	      f);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("liocluster: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(liocluster --help lists the commands and options)\n", stderr);
	return EXIT_USAGE;
}

/* The node: -n, else /etc/liocluster/node-name, else the host name (as
 * given when the description has it, else up to its first dot) */
static int default_node(struct cli *cli)
{
	FILE *f;
	char *dot;
	size_t i;

	if (cli->node_given)
		return 0;
	f = fopen("/etc/liocluster/node-name", "re");
	if (f) {
		/* the first line that is not blank or a comment; none: the host name */
		while (fgets(cli->node, sizeof(cli->node), f)) {
			char *p = cli->node + strspn(cli->node, " \t");

			p[strcspn(p, "\r\n \t")] = '\0';
			if (*p && *p != '#') {
				memmove(cli->node, p, strlen(p) + 1);
				break;
			}
			cli->node[0] = '\0';
		}
		fclose(f);
		if (*cli->node)
			return 0;
	}
	if (gethostname(cli->node, sizeof(cli->node) - 1))
		return -1;
	for (i = 0; cli->c && i < lc_cluster_node_count(cli->c); i++)
		if (!strcmp(lc_cluster_node(cli->c, i), cli->node))
			return 0;
	dot = strchr(cli->node, '.');
	if (dot)
		*dot = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "secrets", required_argument, NULL, 'S' },
		{ "node", required_argument, NULL, 'n' },
		{ "configfs", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "rtpi-mode", required_argument, NULL, 'm' },
		{ "wait", required_argument, NULL, 'w' },
		{ "adopt", no_argument, NULL, 'a' },
		{ "state", required_argument, NULL, 's' },
		{ "mirrors", no_argument, NULL, 'M' },
		{ "cluster", required_argument, NULL, 'C' },
		{ "secrets-out", required_argument, NULL, 'O' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "inject-failure", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .config = "/etc/liocluster/cluster.yaml", .root = "/sys/kernel/config",
			   .mode = LC_RTPI_AUTO, .wait = -1 };
	const struct command *cmd = NULL;
	struct lc_error err = { "" };
	int opt, ret = EXIT_OK, i, nargs;
	size_t k;
	char *end;

	opterr = 0;
	for (i = 0; i < argc; i++) {
		size_t used = strlen(cli.command);

		snprintf(cli.command + used, sizeof(cli.command) - used, "%s%s", i ? " " : "", argv[i]);
	}
	while ((opt = getopt_long(argc, argv, "c:n:r:vhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cli.config = optarg;
			break;
		case 'S':
			cli.secrets = optarg;
			break;
		case 'n':
			if (!*optarg || strlen(optarg) >= sizeof(cli.node))
				return bad_usage("--node takes a node name, not '%.64s'", optarg);
			strcpy(cli.node, optarg);
			cli.node_given = true;
			break;
		case 'r':
			cli.root = optarg;
			break;
		case 'D':
			cli.state_dir = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "auto"))
				cli.mode = LC_RTPI_AUTO;
			else if (!strcmp(optarg, "tpg"))
				cli.mode = LC_RTPI_PER_TPG;
			else if (!strcmp(optarg, "lun"))
				cli.mode = LC_RTPI_PER_LUN;
			else
				return bad_usage("--rtpi-mode takes auto, tpg or lun, not '%.40s'", optarg);
			break;
		case 'w':
			errno = 0;
			cli.wait = strtod(optarg, &end);
			if (errno || *end || !*optarg || cli.wait < 0 || cli.wait > 86400)
				return bad_usage("--wait takes seconds from 0 to 86400, not '%.40s'", optarg);
			break;
		case 'a':
			cli.adopt = true;
			break;
		case 's':
			if (!strchr(optarg, '=') || cli.nstates >= 64)
				return bad_usage("--state takes GROUP=STATE, not '%.64s'", optarg);
			cli.states[cli.nstates++] = optarg;
			break;
		case 'M':
			cli.mirrors = true;
			break;
		case 'C':
			cli.cluster = optarg;
			break;
		case 'O':
			cli.secrets_out = optarg;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'i':
			errno = 0;
			cli.inject = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || cli.inject == 0 || cli.inject > 10000000)
				return bad_usage("--inject-failure takes a positive operation number, not '%.40s'",
						 optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("liocluster %s\n", VERSION);
			return EXIT_OK;
		default:
			if (optopt)
				return bad_usage("unknown option or missing value: -%c",
						 (char[]){ (char)optopt, 0 });
			return bad_usage("unknown option or missing value: %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad_usage("%s", "no command given");
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]) && !cmd; k++)
		if (!strcmp(argv[optind], commands[k].name))
			cmd = &commands[k];
	if (!cmd)
		return bad_usage("unknown command '%.40s'", argv[optind]);
	nargs = argc - optind - 1;
	if (nargs < cmd->min || nargs > cmd->max)
		return bad_usage("wrong number of arguments for %s", cmd->name);
	if (cli.inject && strcmp(cmd->name, "apply") && strcmp(cmd->name, "set-state"))
		return bad_usage("%s", "--inject-failure goes with apply or set-state");
	if (cli.nstates && strcmp(cmd->name, "apply"))
		return bad_usage("%s", "--state goes with apply");
	if (cli.mirrors && strcmp(cmd->name, "clear"))
		return bad_usage("%s", "--mirrors goes with clear");
	if (cli.adopt && strcmp(cmd->name, "apply") && strcmp(cmd->name, "plan"))
		return bad_usage("%s", "--adopt goes with apply or plan");
	if (cli.cluster && !(cmd->flags & NO_DESCRIPTION))
		return bad_usage("%s", "--cluster goes with import or merge");
	if (cli.secrets_out && strcmp(cmd->name, "import"))
		return bad_usage("%s", "--secrets-out goes with import");
	if (cmd->flags & NO_DESCRIPTION)
		return cmd->run(&cli, argv + optind + 1);

	if (!cli.secrets && !access("/etc/liocluster/secrets", F_OK))
		cli.secrets = "/etc/liocluster/secrets";
	if (lc_cluster_load(cli.config, cli.secrets, &cli.c, &err)) {
		fprintf(stderr, "liocluster: %s\n", err.msg);
		return EXIT_DESCRIPTION;
	}
	if (cmd->flags & NEEDS_NODE) {
		if (default_node(&cli)) {
			fprintf(stderr, "liocluster: cannot read the host name; give --node\n");
			ret = EXIT_USAGE;
			goto out;
		}
		for (k = 0; k < lc_cluster_node_count(cli.c); k++)
			if (!strcmp(lc_cluster_node(cli.c, k), cli.node))
				break;
		if (k == lc_cluster_node_count(cli.c)) {
			fprintf(stderr, "liocluster: no node '%.64s' in cluster %s (give --node, or write it to /etc/liocluster/node-name)\n",
				cli.node, lc_cluster_name(cli.c));
			ret = EXIT_FAILED;
			goto out;
		}
		if (lc_ctx_new(cli.root, &cli.ctx, &err)) {
			fprintf(stderr, "liocluster: %s\n", err.msg);
			ret = EXIT_FAILED;
			goto out;
		}
		lc_ctx_set_rtpi_mode(cli.ctx, cli.mode);
		lc_ctx_set_node(cli.ctx, cli.node);
		if (cli.state_dir)
			lc_ctx_set_state_dir(cli.ctx, cli.state_dir);
		lc_ctx_set_lock_wait(cli.ctx, cli.wait);
		lc_ctx_set_command(cli.ctx, cli.command);
		lc_ctx_set_adopt(cli.ctx, cli.adopt);
		lc_ctx_inject_failure(cli.ctx, (unsigned int)cli.inject);
		for (k = 0; k < cli.nstates; k++) {
			char *eq = strchr(cli.states[k], '='), *group;
			int state;

			group = strndup(cli.states[k], (size_t)(eq - cli.states[k]));
			ret = group ? parse_state(eq + 1, &state) : EXIT_FAILED;
			if (!ret && lc_apply_want_state(cli.ctx, cli.c, group, state, &err))
				ret = failed(-EINVAL, &err);
			free(group);
			if (ret)
				goto out;
		}
	} else if (!cli.node_given) {
		cli.node[0] = '\0';
	}
	ret = cmd->run(&cli, argv + optind + 1);
out:
	lc_ctx_free(cli.ctx);
	lc_cluster_free(cli.c);
	return ret;
}
