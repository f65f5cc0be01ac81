// SPDX-License-Identifier: GPL-2.0
/* Probe: the TPG carries the RTPI and target core offers tpgt_N/rtpi (6.4+) */
#include <target/target_core_base.h>

void remote_probe(struct se_portal_group *tpg);
void remote_probe(struct se_portal_group *tpg)
{
	tpg->tpg_rtpi = 1;
}
