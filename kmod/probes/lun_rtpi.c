// SPDX-License-Identifier: GPL-2.0
/* Probe: each LUN carries its RTPI, from a per-device counter (before 6.4) */
#include <target/target_core_base.h>

void remote_probe(struct se_lun *lun, struct se_device *dev);
void remote_probe(struct se_lun *lun, struct se_device *dev)
{
	lun->lun_rtpi = dev->dev_rpti_counter++;
	spin_lock(&dev->se_port_lock);
	list_add(&lun->lun_dev_link, &dev->dev_sep_list);
	spin_unlock(&dev->se_port_lock);
}
