// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the cluster description parser, and the desired state
 * of every node of whatever it accepts: every path built from accepted
 * names stays inside target/, each component a safe configfs name, and
 * links point inside target/ too.  make fuzz FUZZ_SECONDS=600
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void check_path(const char *p)
{
	char *copy, *c, *save = NULL;

	if (strncmp(p, "target/", 7) && strncmp(p, "pin:target/", 11))
		abort();
	copy = lc_xstrdup(strncmp(p, "pin:", 4) ? p : p + 4);
	for (c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		/* portals hold [ ] around IPv6 addresses */
		if (!strcmp(c, ".") || !strcmp(c, "..") ||
		    (!lc_safe_component(c, 255) && !strchr(c, '[')))
			abort();
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_cluster *c = NULL;
	struct lc_error err;
	size_t i, j;

	if (lc_cluster_parse((const char *)data, size, &c, &err) != 0) {
		if (c)
			abort();	/* a refused description returns nothing */
		return 0;
	}
	for (i = 0; i < c->nnodes; i++) {
		struct lc_desired d;

		if (lc_desired_build(c, c->nodes[i], i % 2 ? LC_RTPI_PER_LUN : LC_RTPI_PER_TPG,
				     NULL, &d, &err))
			abort();
		for (j = 0; j < d.objs.n; j++) {
			const struct lc_obj *o = d.objs.v[j];

			check_path(o->path);
			if (o->kind == LC_OBJ_LINK)
				check_path(o->value);
		}
		lc_desired_free(&d);
	}
	lc_cluster_free(c);
	return 0;
}
