// SPDX-License-Identifier: GPL-2.0
/*
 * liocluster - apply one cluster description to this node's LIO target.
 * A thin command line over libliocluster; see liocluster(8).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "liocluster.h"

#define VERSION "1.0"

enum exit_code {
	EXIT_OK = 0,
	EXIT_DIFFERENT = 1,	/* verify: the node does not match */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_DESCRIPTION = 3,	/* the description is not valid */
	EXIT_FAILED = 4,	/* an operation failed (apply rolled back) */
};

static void usage(FILE *f)
{
	fputs("usage: liocluster [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "commands:\n"
	      "  check                  validate the description; touch nothing\n"
	      "  plan                   print the configfs operations apply would run\n"
	      "  apply                  make this node's configfs match (all or nothing)\n"
	      "  verify                 report every difference; exit 1 if any\n"
	      "  set-state GROUP STATE  set an ALUA group's state on every device\n"
	      "  status                 groups, states, members and RTPIs as they are\n"
	      "\n"
	      "options:\n"
	      "  -c, --config FILE      the cluster description (default /etc/liocluster/cluster.yaml)\n"
	      "  -n, --node NAME        this node's name in it (default: the host name)\n"
	      "  -r, --configfs DIR     configfs mount point (default /sys/kernel/config)\n"
	      "      --rtpi-mode MODE   auto, tpg (Linux 6.4+) or lun (before): how the kernel numbers ports\n"
	      "      --states           verify: compare ALUA states with the description too\n"
	      "      --json             machine-readable output\n"
	      "      --inject-failure N apply: fail the Nth operation, to test the rollback\n"
	      "  -h, --help             this text\n"
	      "  -V, --version          the version\n"
	      "\n"
	      "states: active/optimized (ao), active/non-optimized (an), standby, unavailable, offline\n"
	      "exit: 0 done or matching, 1 differences found, 2 usage, 3 bad description, 4 failed\n",
	      f);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("liocluster: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(liocluster --help lists the commands and options)\n", stderr);
	return EXIT_USAGE;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'n' },
		{ "configfs", required_argument, NULL, 'r' },
		{ "rtpi-mode", required_argument, NULL, 'm' },
		{ "states", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "inject-failure", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = "/etc/liocluster/cluster.yaml";
	const char *root = "/sys/kernel/config";
	const char *cmd;
	char node[256] = "";
	enum lc_rtpi_mode mode = LC_RTPI_AUTO;
	bool json = false, states = false;
	unsigned long inject = 0;
	struct lc_cluster *c = NULL;
	struct lc_ctx *ctx = NULL;
	struct lc_error err = { "" };
	int opt, ret = EXIT_OK;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "c:n:r:hV", longopts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'n':
			if (strlen(optarg) >= sizeof(node))
				return bad_usage("node name too long: %.64s", optarg);
			strcpy(node, optarg);
			break;
		case 'r':
			root = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "auto"))
				mode = LC_RTPI_AUTO;
			else if (!strcmp(optarg, "tpg"))
				mode = LC_RTPI_PER_TPG;
			else if (!strcmp(optarg, "lun"))
				mode = LC_RTPI_PER_LUN;
			else
				return bad_usage("--rtpi-mode takes auto, tpg or lun, not '%.40s'", optarg);
			break;
		case 's':
			states = true;
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			errno = 0;
			inject = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || inject == 0 || inject > 1000000)
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
	cmd = argv[optind++];
	if (strcmp(cmd, "check") && strcmp(cmd, "plan") && strcmp(cmd, "apply") &&
	    strcmp(cmd, "verify") && strcmp(cmd, "set-state") && strcmp(cmd, "status"))
		return bad_usage("unknown command '%.40s'", cmd);
	if (!strcmp(cmd, "set-state") ? argc - optind != 2 : argc - optind != 0)
		return bad_usage("wrong number of arguments for %s", cmd);
	if (inject && strcmp(cmd, "apply"))
		return bad_usage("%s", "--inject-failure goes with apply");
	if (states && strcmp(cmd, "verify"))
		return bad_usage("%s", "--states goes with verify");

	if (lc_cluster_load(config, &c, &err)) {
		fprintf(stderr, "liocluster: %s\n", err.msg);
		return EXIT_DESCRIPTION;
	}
	if (!strcmp(cmd, "check")) {
		printf("%s: cluster %s, %zu nodes: valid\n", config, lc_cluster_name(c),
		       lc_cluster_node_count(c));
		goto out;
	}
	if (!*node && gethostname(node, sizeof(node) - 1)) {
		fprintf(stderr, "liocluster: cannot read the host name; give --node\n");
		ret = EXIT_USAGE;
		goto out;
	}
	node[strcspn(node, ".")] = '\0';
	if (lc_ctx_new(root, &ctx, &err)) {
		fprintf(stderr, "liocluster: %s\n", err.msg);
		ret = EXIT_FAILED;
		goto out;
	}
	lc_ctx_set_rtpi_mode(ctx, mode);

	if (!strcmp(cmd, "plan") || !strcmp(cmd, "apply")) {
		struct lc_plan *p;
		double t0 = now();

		if (lc_plan_node(ctx, c, node, &p, &err)) {
			fprintf(stderr, "liocluster: %s\n", err.msg);
			ret = EXIT_FAILED;
			goto out;
		}
		if (!strcmp(cmd, "plan")) {
			lc_plan_print(p, stdout, json);
		} else {
			lc_ctx_inject_failure(ctx, (unsigned int)inject);
			if (lc_apply(ctx, p, &err)) {
				fprintf(stderr, "liocluster: apply on %s: %s\n", node, err.msg);
				ret = EXIT_FAILED;
			} else if (json) {
				printf("{\"node\":\"%s\",\"operations\":%zu,\"seconds\":%.3f}\n", node,
				       lc_plan_count(p), now() - t0);
			} else {
				printf("%s: %zu operations in %.3f s\n", node, lc_plan_count(p),
				       now() - t0);
			}
		}
		lc_plan_free(p);
	} else if (!strcmp(cmd, "verify")) {
		struct lc_report *r;

		if (lc_verify(ctx, c, node, states, &r, &err)) {
			fprintf(stderr, "liocluster: %s\n", err.msg);
			ret = EXIT_FAILED;
			goto out;
		}
		lc_report_print(r, stdout, json);
		if (lc_report_count(r)) {
			if (!json)
				fprintf(stderr, "%s: %zu differences from the description\n", node,
					lc_report_count(r));
			ret = EXIT_DIFFERENT;
		} else if (!json) {
			printf("%s: matches the description\n", node);
		}
		lc_report_free(r);
	} else if (!strcmp(cmd, "set-state")) {
		int state;

		if (lc_state_parse(argv[optind + 1], &state)) {
			fprintf(stderr, "liocluster: '%.40s' is not an ALUA state (active/optimized, active/non-optimized, standby, unavailable, offline)\n",
				argv[optind + 1]);
			ret = EXIT_USAGE;
		} else if (lc_set_state(ctx, c, argv[optind], state, &err)) {
			fprintf(stderr, "liocluster: %s\n", err.msg);
			ret = EXIT_FAILED;
		} else if (!json) {
			printf("%s: group %s is %s on every device\n", node, argv[optind],
			       lc_state_name(state));
		}
	} else if (!strcmp(cmd, "status")) {
		if (lc_status(ctx, c, node, stdout, json, &err)) {
			fprintf(stderr, "liocluster: %s\n", err.msg);
			ret = EXIT_FAILED;
		}
	}
out:
	lc_ctx_free(ctx);
	lc_cluster_free(c);
	return ret;
}
