// SPDX-License-Identifier: GPL-2.0
/*
 * standin - make and inspect a stand-in configfs tree from the shell, for
 * the CLI tests and anyone trying liocluster without a kernel:
 *
 *   standin init ROOT per-lun|per-tpg       an empty tree
 *   standin fc-port ROOT WWPN              an FC HBA port qla2xxx can use
 *   standin snapshot ROOT                  every dir, link and writable value
 *   standin mkdir|rmdir ROOT PATH          as the kernel would (an admin's hand)
 *   standin write ROOT PATH VALUE
 *   standin symlink ROOT TARGET LINK       (paths relative to ROOT)
 *   standin unlink ROOT LINK
 *   standin stpg ROOT LUN STATE:ID...      an initiator's SET TARGET PORT GROUPS
 *                                          through LUN (STATE an SPC-4 number)
 *   standin destroy ROOT
 *
 * Operations print OK or the errno's name and exit 0/1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "standin.h"

static int report(int ret)
{
	printf("%s\n", ret ? strerrorname_np(-ret) : "OK");
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct lc_backend *be = standin_backend();
	const char *cmd = argc > 1 ? argv[1] : "", *root = argc > 2 ? argv[2] : "";

	if (!strcmp(cmd, "init") && argc == 4 &&
	    (!strcmp(argv[3], "per-lun") || !strcmp(argv[3], "per-tpg")))
		return report(standin_init(root, !strcmp(argv[3], "per-tpg") ? STANDIN_PER_TPG :
					   STANDIN_PER_LUN));
	if (!strcmp(cmd, "fc-port") && argc == 4)
		return report(standin_add_fc_port(root, argv[3]));
	if (!strcmp(cmd, "snapshot") && argc == 3) {
		char *s = standin_snapshot(root);

		fputs(s, stdout);
		free(s);
		return 0;
	}
	if (!strcmp(cmd, "destroy") && argc == 3) {
		standin_destroy(root);
		return 0;
	}
	if (!strcmp(cmd, "mkdir") && argc == 4)
		return report(be->mkdir(NULL, root, argv[3]));
	if (!strcmp(cmd, "rmdir") && argc == 4)
		return report(be->rmdir(NULL, root, argv[3]));
	if (!strcmp(cmd, "write") && argc == 5)
		return report(be->write(NULL, root, argv[3], argv[4]));
	if (!strcmp(cmd, "symlink") && argc == 5)
		return report(be->symlink(NULL, root, argv[3], argv[4]));
	if (!strcmp(cmd, "unlink") && argc == 4)
		return report(be->unlink(NULL, root, argv[3]));
	if (!strcmp(cmd, "stpg") && argc >= 5) {
		int st[16];
		unsigned int id[16];
		size_t i, n = (size_t)argc - 4;

		if (n > 16)
			return 2;
		for (i = 0; i < n; i++) {
			char *e;
			unsigned long a = strtoul(argv[4 + i], &e, 10), b;

			if (*e != ':' || a > 15 || (b = strtoul(e + 1, &e, 10)) > 0xffff || *e) {
				fprintf(stderr, "standin: stpg: '%s' is not STATE:ID\n", argv[4 + i]);
				return 2;
			}
			st[i] = (int)a;
			id[i] = (unsigned int)b;
		}
		return report(standin_stpg(root, argv[3], st, id, n));
	}
	fprintf(stderr, "usage: standin init ROOT per-lun|per-tpg | fc-port ROOT WWPN | snapshot ROOT |\n"
		"       mkdir|rmdir ROOT PATH | write ROOT PATH VALUE | symlink ROOT TARGET LINK |\n"
		"       unlink ROOT LINK | stpg ROOT LUN STATE:ID... | destroy ROOT\n");
	return 2;
}
