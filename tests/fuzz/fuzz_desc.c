// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the cluster description parser, and the planner on
 * whatever it accepts (paths built from accepted names must stay inside
 * the configfs root).  make fuzz FUZZ_SECONDS=600
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lc_cluster *c = NULL;
	struct lc_error err;
	size_t i;

	if (lc_cluster_parse((const char *)data, size, &c, &err) == 0) {
		/* every accepted name is a safe configfs path component */
		for (i = 0; i < c->nports; i++) {
			char *l = lc_local_wwn_dir(&c->ports[i]);
			char *r = lc_remote_wwn_dir(&c->ports[i]);

			/* one component each: no slash, never "." or ".." */
			if (!lc_safe_component(l, LC_NAME_MAX) || !lc_safe_component(r, LC_NAME_MAX) ||
			    strchr(l, '/') || strchr(r, '/') || l[0] == '.' || r[0] == '.')
				abort();
			free(l);
			free(r);
		}
		for (i = 0; i < c->ndevices; i++)
			if (!lc_safe_component(c->devices[i].name, 63))
				abort();
		for (i = 0; i < c->nacls; i++)
			if (!lc_safe_component(c->acls[i].initiator, LC_NAME_MAX))
				abort();
		lc_cluster_free(c);
	} else if (c) {
		abort();	/* a refused description returns nothing */
	}
	return 0;
}
