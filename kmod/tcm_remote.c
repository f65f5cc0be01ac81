// SPDX-License-Identifier: GPL-2.0
/*
 * tcm_remote - an I/O-less LIO fabric whose target ports stand for the
 * ports of peer nodes in a clustered SCSI target.
 *
 * A clustered target exports the same logical units from several nodes.
 * Every node must describe the whole cluster to initiators: REPORT TARGET
 * PORT GROUPS has to list the peers' ports too, with their relative target
 * port identifiers and ALUA states.  LIO only knows the ports of its own
 * fabrics, so this module gives user space a fabric named "remote" under
 * /sys/kernel/config/target/remote/ whose WWNs, TPGs, LUNs and ACLs mirror
 * the peers' configuration.  Its LUNs link to local backstores and join
 * the device's ALUA target port groups like any other port, which is all
 * target core needs to report them.
 *
 * No session is ever created on this fabric and no command ever reaches
 * it: every command callback below exists only because target core
 * requires it, and does nothing.
 *
 * The configfs layout follows the upstream module of the same name
 * (Linux 6.4 and later) so that cluster software written for it works
 * here unchanged.  Deliberate differences are listed in docs/.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/configfs.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "compat.h"

#define REMOTE_VERSION		"1.0"
#define REMOTE_NAME_LEN		256
#define REMOTE_TPGT_PREFIX	"tpgt_"

/* One peer target port name, e.g. iqn.2003-01.org.example:node-b */
struct remote_wwn {
	struct se_wwn se_wwn;
	int proto_id;
	char port_name[REMOTE_NAME_LEN];
	struct mutex tpg_lock;		/* protects tpg_list */
	struct list_head tpg_list;
};

/* One target port group of a peer port, tpgt_<tag> in configfs */
struct remote_tpg {
	struct se_portal_group se_tpg;
	struct remote_wwn *wwn;
	struct list_head wwn_node;
	u16 tag;
#ifdef REMOTE_HAS_OWN_RTPI
	u16 rtpi;			/* 0: target core's per-LUN counter */
#endif
};

static inline struct remote_tpg *to_remote_tpg(struct se_portal_group *se_tpg)
{
	return container_of(se_tpg, struct remote_tpg, se_tpg);
}

static inline struct se_portal_group *item_to_se_tpg(struct config_item *item)
{
	return container_of(to_config_group(item), struct se_portal_group,
			    tpg_group);
}

static inline struct remote_wwn *to_remote_wwn(struct se_wwn *se_wwn)
{
	return container_of(se_wwn, struct remote_wwn, se_wwn);
}

/*
 * Port names and the SCSI protocol they imply.  A name is recognised by
 * the marker it contains, as upstream does; for FC and SRP the marker is a
 * configfs convention only and is not part of the port name.
 */
static const struct remote_name_form {
	const char *marker;
	int proto_id;
	bool strip;
} remote_name_forms[] = {
	{ "naa.", SCSI_PROTOCOL_SAS,   false },
	{ "fc.",  SCSI_PROTOCOL_FCP,   true  },
	{ "0x",   SCSI_PROTOCOL_SRP,   true  },
	{ "iqn.", SCSI_PROTOCOL_ISCSI, false },
	{ "eui.", SCSI_PROTOCOL_ISCSI, false },
};

static const char *remote_proto_name(int proto_id)
{
	switch (proto_id) {
	case SCSI_PROTOCOL_SAS:
		return "SAS";
	case SCSI_PROTOCOL_FCP:
		return "FCP";
	case SCSI_PROTOCOL_SRP:
		return "SRP";
	case SCSI_PROTOCOL_ISCSI:
		return "iSCSI";
	default:
		return "unknown";
	}
}

/* Fabric callbacks asked by target core about a TPG */

static char *remote_get_wwn(struct se_portal_group *se_tpg)
{
	return to_remote_tpg(se_tpg)->wwn->port_name;
}

static u16 remote_get_tag(struct se_portal_group *se_tpg)
{
	return to_remote_tpg(se_tpg)->tag;
}

/*
 * No initiator ever logs in to a remote port, so demo mode (access
 * without an ACL) is off and nothing is write protected here: the ACLs
 * configured below only describe the peer's access rules.
 */
static int remote_check_false(struct se_portal_group *se_tpg)
{
	return 0;
}

static u32 remote_get_inst_index(struct se_portal_group *se_tpg)
{
	return 1;
}

static u32 remote_get_default_depth(struct se_portal_group *se_tpg)
{
	return 1;
}

/* Session callbacks: there are never sessions on this fabric */

static u32 remote_sess_get_index(struct se_session *se_sess)
{
	return 0;
}

static void remote_set_default_node_attributes(struct se_node_acl *nacl)
{
}

/* Command callbacks: required by target core, never called for this fabric */

static int remote_check_stop_free(struct se_cmd *se_cmd)
{
	return 0;
}

static void remote_release_cmd(struct se_cmd *se_cmd)
{
}

static int remote_write_pending(struct se_cmd *se_cmd)
{
	return 0;
}

static int remote_queue_data_in(struct se_cmd *se_cmd)
{
	return 0;
}

static int remote_queue_status(struct se_cmd *se_cmd)
{
	return 0;
}

static void remote_queue_tm_rsp(struct se_cmd *se_cmd)
{
}

static void remote_aborted_task(struct se_cmd *se_cmd)
{
}

static int remote_get_cmd_state(struct se_cmd *se_cmd)
{
	return 0;
}

#ifdef REMOTE_HAS_OWN_RTPI
/*
 * tpgt_N/rtpi on kernels whose target core has no such attribute.
 *
 * From Linux 6.4 the relative target port identifier belongs to the TPG
 * and target core offers tpgt_N/rtpi for every fabric.  Before, it is
 * kept per LUN and handed out by a per-device counter when the LUN is
 * linked, so the peers' ports would get whatever number comes next here
 * instead of the one their own node reports.  This attribute gives the
 * remote fabric the same interface as newer kernels: the value written is
 * given to every LUN of the TPG, now and when LUNs are linked later.
 *
 * An RTPI names one port of a device, so a value already used by another
 * port of any device behind this TPG is refused (newer kernels do not
 * check this for TPGs that are never enabled, as remote TPGs are).
 */

/* Another port of the device already has @rtpi.  Caller holds se_port_lock. */
static bool remote_rtpi_taken(struct se_device *dev, struct se_portal_group *se_tpg,
			      u16 rtpi)
{
	struct se_lun *other;

	list_for_each_entry(other, &dev->dev_sep_list, lun_dev_link)
		if (other->lun_tpg != se_tpg && other->lun_rtpi == rtpi)
			return true;
	return false;
}

static struct se_device *remote_lun_dev(struct se_lun *lun)
{
	/* Stable while the LUN's configfs link exists, as target core does */
	return rcu_dereference_raw(lun->lun_se_dev);
}

static int remote_set_rtpi(struct remote_tpg *tpg, u16 rtpi)
{
	struct se_portal_group *se_tpg = &tpg->se_tpg;
	struct se_device *dev;
	struct se_lun *lun;
	int ret = 0;

	mutex_lock(&se_tpg->tpg_lun_mutex);
	hlist_for_each_entry(lun, &se_tpg->tpg_lun_hlist, link) {
		dev = remote_lun_dev(lun);
		if (!dev)
			continue;
		spin_lock(&dev->se_port_lock);
		if (remote_rtpi_taken(dev, se_tpg, rtpi))
			ret = -EEXIST;
		spin_unlock(&dev->se_port_lock);
		if (ret) {
			pr_err("tcm_remote: %s,t,0x%04x: RTPI %u is used by another port of that device\n",
			       tpg->wwn->port_name, tpg->tag, rtpi);
			goto out;
		}
	}
	hlist_for_each_entry(lun, &se_tpg->tpg_lun_hlist, link) {
		dev = remote_lun_dev(lun);
		if (!dev)
			continue;
		spin_lock(&dev->se_port_lock);
		lun->lun_rtpi = rtpi;
		spin_unlock(&dev->se_port_lock);
	}
	tpg->rtpi = rtpi;
out:
	mutex_unlock(&se_tpg->tpg_lun_mutex);
	return ret;
}

static int remote_post_link(struct se_portal_group *se_tpg, struct se_lun *lun)
{
	struct remote_tpg *tpg = to_remote_tpg(se_tpg);
	struct se_device *dev = remote_lun_dev(lun);
	int ret = 0;

	if (!tpg->rtpi || !dev)
		return 0;
	spin_lock(&dev->se_port_lock);
	if (remote_rtpi_taken(dev, se_tpg, tpg->rtpi))
		ret = -EEXIST;
	else
		lun->lun_rtpi = tpg->rtpi;
	spin_unlock(&dev->se_port_lock);
	if (ret)
		pr_err("tcm_remote: %s,t,0x%04x: RTPI %u is used by another port of that device; LUN %llu keeps RTPI %u\n",
		       tpg->wwn->port_name, tpg->tag, tpg->rtpi,
		       lun->unpacked_lun, lun->lun_rtpi);
	return ret;
}

static ssize_t remote_tpg_rtpi_show(struct config_item *item, char *page)
{
	struct se_portal_group *se_tpg = item_to_se_tpg(item);

	return sysfs_emit(page, "%#x\n", to_remote_tpg(se_tpg)->rtpi);
}

static ssize_t remote_tpg_rtpi_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct se_portal_group *se_tpg = item_to_se_tpg(item);
	u16 rtpi;
	int ret;

	ret = kstrtou16(page, 0, &rtpi);
	if (ret)
		return ret;
	if (!rtpi)		/* reserved (SPC-4 table 479) */
		return -EINVAL;
	ret = remote_set_rtpi(to_remote_tpg(se_tpg), rtpi);
	return ret ? ret : count;
}

CONFIGFS_ATTR(remote_tpg_, rtpi);

static struct configfs_attribute *remote_tpg_attrs[] = {
	&remote_tpg_attr_rtpi,
	NULL,
};
#endif /* REMOTE_HAS_OWN_RTPI */

/* tpgt_<tag>: one target port group of a peer port */

static int remote_parse_tag(const char *name, u16 *tag)
{
	size_t plen = strlen(REMOTE_TPGT_PREFIX);

	if (strncmp(name, REMOTE_TPGT_PREFIX, plen))
		return -EINVAL;
	/* A 16-bit tag as iSCSI TPGTs and other fabrics' port tags are */
	return kstrtou16(name + plen, 10, tag);
}

static struct se_portal_group *remote_make_tpg(struct se_wwn *se_wwn,
					       const char *name)
{
	struct remote_wwn *wwn = to_remote_wwn(se_wwn);
	struct remote_tpg *tpg, *other;
	u16 tag;
	int ret;

	if (remote_parse_tag(name, &tag)) {
		pr_err("tcm_remote: %s: TPG name must be tpgt_<0..65535>\n",
		       name);
		return ERR_PTR(-EINVAL);
	}

	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	tpg->wwn = wwn;
	tpg->tag = tag;

	mutex_lock(&wwn->tpg_lock);
	/* tpgt_7 and tpgt_07 are different names for one tag */
	list_for_each_entry(other, &wwn->tpg_list, wwn_node) {
		if (other->tag == tag) {
			pr_err("tcm_remote: %s: tag %u already used on %s\n",
			       name, tag, wwn->port_name);
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	ret = core_tpg_register(se_wwn, &tpg->se_tpg, wwn->proto_id);
	if (ret < 0)
		goto out_unlock;
	list_add_tail(&tpg->wwn_node, &wwn->tpg_list);
	mutex_unlock(&wwn->tpg_lock);

	pr_debug("tcm_remote: added %s port %s,t,0x%04x\n",
		 remote_proto_name(wwn->proto_id), wwn->port_name, tag);
	return &tpg->se_tpg;

out_unlock:
	mutex_unlock(&wwn->tpg_lock);
	kfree(tpg);
	return ERR_PTR(ret);
}

static void remote_drop_tpg(struct se_portal_group *se_tpg)
{
	struct remote_tpg *tpg = to_remote_tpg(se_tpg);
	struct remote_wwn *wwn = tpg->wwn;

	pr_debug("tcm_remote: removing port %s,t,0x%04x\n",
		 wwn->port_name, tpg->tag);
	core_tpg_deregister(se_tpg);

	mutex_lock(&wwn->tpg_lock);
	list_del(&tpg->wwn_node);
	mutex_unlock(&wwn->tpg_lock);
	kfree(tpg);
}

/* <wwn>: one peer target port name */

static struct se_wwn *remote_make_wwn(struct target_fabric_configfs *tf,
				      struct config_group *group,
				      const char *name)
{
	const struct remote_name_form *form = NULL;
	struct remote_wwn *wwn;
	const char *port;
	int i;

	if (strlen(name) >= REMOTE_NAME_LEN) {
		pr_err("tcm_remote: port name longer than %d bytes\n",
		       REMOTE_NAME_LEN - 1);
		return ERR_PTR(-EINVAL);
	}
	/*
	 * A name that starts with a marker is of that form.  Otherwise the
	 * first marker found anywhere in it decides, which accepts the same
	 * names as upstream does.
	 */
	for (i = 0; i < ARRAY_SIZE(remote_name_forms) && !form; i++)
		if (str_has_prefix(name, remote_name_forms[i].marker))
			form = &remote_name_forms[i];
	for (i = 0; i < ARRAY_SIZE(remote_name_forms) && !form; i++)
		if (strstr(name, remote_name_forms[i].marker))
			form = &remote_name_forms[i];
	port = name;
	if (form && form->strip)
		port = strstr(name, form->marker) + strlen(form->marker);
	if (!form || !*port) {
		pr_err("tcm_remote: %s: not a naa., fc., 0x, iqn. or eui. port name\n",
		       name);
		return ERR_PTR(-EINVAL);
	}

	wwn = kzalloc(sizeof(*wwn), GFP_KERNEL);
	if (!wwn)
		return ERR_PTR(-ENOMEM);
	wwn->proto_id = form->proto_id;
	strscpy(wwn->port_name, port, sizeof(wwn->port_name));
	mutex_init(&wwn->tpg_lock);
	INIT_LIST_HEAD(&wwn->tpg_list);

	pr_debug("tcm_remote: added %s port name %s\n",
		 remote_proto_name(wwn->proto_id), wwn->port_name);
	return &wwn->se_wwn;
}

static void remote_drop_wwn(struct se_wwn *se_wwn)
{
	struct remote_wwn *wwn = to_remote_wwn(se_wwn);

	pr_debug("tcm_remote: removing port name %s\n", wwn->port_name);
	WARN_ON_ONCE(!list_empty(&wwn->tpg_list));
	mutex_destroy(&wwn->tpg_lock);
	kfree(wwn);
}

/*
 * acls/<initiator>: target core keeps initiator names in a fixed buffer
 * and would silently truncate a longer one, so that it never matches the
 * initiator it was written for.  Refuse such names instead.
 */
static int remote_init_nodeacl(struct se_node_acl *se_nacl, const char *name)
{
	if (strlen(name) >= TRANSPORT_IQN_LEN) {
		pr_err("tcm_remote: initiator name longer than %d bytes\n",
		       TRANSPORT_IQN_LEN - 1);
		return -EINVAL;
	}
	return 0;
}

static ssize_t remote_wwn_version_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "TCM Remote Fabric module %s\n",
			  REMOTE_VERSION);
}

CONFIGFS_ATTR_RO(remote_wwn_, version);

static struct configfs_attribute *remote_wwn_attrs[] = {
	&remote_wwn_attr_version,
	NULL,
};

static const struct target_core_fabric_ops remote_ops = {
	.module				= THIS_MODULE,
	.fabric_name			= "remote",
	.node_acl_size			= sizeof(struct se_node_acl),
	.tpg_get_wwn			= remote_get_wwn,
	.tpg_get_tag			= remote_get_tag,
	.tpg_check_demo_mode		= remote_check_false,
	.tpg_check_demo_mode_cache	= remote_check_false,
	.tpg_check_demo_mode_write_protect = remote_check_false,
	.tpg_check_prod_mode_write_protect = remote_check_false,
	.tpg_get_inst_index		= remote_get_inst_index,
	.tpg_get_default_depth		= remote_get_default_depth,
	.sess_get_index			= remote_sess_get_index,
	.set_default_node_attributes	= remote_set_default_node_attributes,
	.get_cmd_state			= remote_get_cmd_state,
	.check_stop_free		= remote_check_stop_free,
	.release_cmd			= remote_release_cmd,
	.write_pending			= remote_write_pending,
	.queue_data_in			= remote_queue_data_in,
	.queue_status			= remote_queue_status,
	.queue_tm_rsp			= remote_queue_tm_rsp,
	.aborted_task			= remote_aborted_task,
	.fabric_make_wwn		= remote_make_wwn,
	.fabric_drop_wwn		= remote_drop_wwn,
	.fabric_make_tpg		= remote_make_tpg,
	.fabric_drop_tpg		= remote_drop_tpg,
	.fabric_init_nodeacl		= remote_init_nodeacl,
	.tfc_wwn_attrs			= remote_wwn_attrs,
#ifdef REMOTE_HAS_OWN_RTPI
	.fabric_post_link		= remote_post_link,
	.tfc_tpg_base_attrs		= remote_tpg_attrs,
#endif
};

static int __init remote_init(void)
{
	return target_register_template(&remote_ops);
}

static void __exit remote_exit(void)
{
	target_unregister_template(&remote_ops);
}

module_init(remote_init);
module_exit(remote_exit);

MODULE_DESCRIPTION("TCM remote fabric: peer target ports of a clustered SCSI target");
MODULE_AUTHOR("tcm_remote developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(REMOTE_VERSION);
