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

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/ctype.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
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
	struct list_head all_node;	/* in remote_tpgs */
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

/*
 * tpgt_<tag>: a 16-bit tag as iSCSI TPGTs and other fabrics' port tags
 * are, in one spelling only: decimal digits, no sign, no leading zero
 * (but tpgt_0), nothing after them.  kstrtou16() would also take "+2" and
 * a trailing newline, so that two names could mean one tag.
 */
static int remote_parse_tag(const char *name, u16 *tag)
{
	const char *d;
	unsigned int v = 0;

	if (!str_has_prefix(name, REMOTE_TPGT_PREFIX))
		return -EINVAL;
	d = name + strlen(REMOTE_TPGT_PREFIX);
	if (!*d || (d[0] == '0' && d[1]))
		return -EINVAL;
	for (; *d; d++) {
		if (!isdigit(*d))
			return -EINVAL;
		v = v * 10 + (*d - '0');
		if (v > U16_MAX)
			return -EINVAL;
	}
	*tag = v;
	return 0;
}

#ifdef REMOTE_HAS_OWN_RTPI
/*
 * Relative target port identifiers on kernels that keep them per LUN.
 *
 * From Linux 6.4 the RTPI belongs to the TPG and target core offers
 * tpgt_N/rtpi for every fabric.  Before, target core gives each LUN the
 * next value of a per-device counter when the LUN is linked
 * (core_alloc_rtpi(), skipping 0 and values in use), for every fabric and
 * so for remote LUNs too, and no fabric can choose its ports' numbers.
 * A clustered target needs every node to report the same RTPI for the
 * same port, its own ports included, so this module places RTPIs itself:
 *
 *  - remote/<wwn>/tpgt_N/rtpi: the RTPI of a remote port.  Every LUN of
 *    the TPG reports it, now and when LUNs are linked later;
 *  - remote/local_rtpi: a table of this node's own ports (TPGs of other
 *    fabrics) and their RTPIs, written as "<fabric>/<wwn>/tpgt_N <rtpi>"
 *    (rtpi 0 removes the entry).  The LUNs of such a port get the value
 *    on every device that a remote LUN links, when the entry is written
 *    and whenever a remote LUN is linked to the device.
 *
 * The module never lies about a number: a value that another port of a
 * device already holds, or that another remote TPG or table entry
 * reserves, is refused with EEXIST and nothing changes.  A remote LUN
 * linked to a device where its TPG's RTPI is already held elsewhere
 * cannot be refused (target core ignores fabric_post_link's result); the
 * TPG's rtpi then reads 0 again and each LUN's statistics/scsi_port/indx
 * tells the number it has.  Likewise a table entry whose port has a LUN
 * on a device where another port holds the entry's value (a port that took
 * it from the counter before the device had remote LUNs) leaves the table
 * when the module applies the table there.  A remote LUN of a TPG without
 * an RTPI never keeps a value reserved for another port: it takes the
 * counter's next, before the table is applied on its device.
 *
 * remote_rtpi_mutex serialises every change of an RTPI made here and
 * guards the lists below; each device's LUN list is read and changed
 * under that device's se_port_lock, the lock core_alloc_rtpi() takes, so
 * that a check and the assignment it allows are one step.
 * Lock order: remote_rtpi_mutex, tpg_lun_mutex, se_port_lock.
 */

#define REMOTE_MAX_PINS		64

/* One entry of remote/local_rtpi */
struct remote_pin {
	struct list_head node;
	u16 rtpi;
	const char *wwn;		/* both point into fabric's buffer */
	const char *tpg;
	char fabric[];			/* "fabric\0wwn\0tpgt_N\0" */
};

static DEFINE_MUTEX(remote_rtpi_mutex);
static LIST_HEAD(remote_tpgs);		/* every remote TPG */
static LIST_HEAD(remote_pins);		/* the local_rtpi table */
static unsigned int remote_npins;

/* Whose RTPI is placed: a remote TPG, or a local port of the table */
struct remote_owner {
	struct se_portal_group *tpg;
	const struct remote_pin *pin;
};

/* Old values of the LUNs an assignment changed, to put them back */
struct remote_undo {
	unsigned int n, max;
	struct {
		struct se_lun *lun;	/* compared, never dereferenced */
		u16 rtpi;
	} *v;
};

static struct se_device *remote_lun_dev(struct se_lun *lun)
{
	/* Stable while the LUN's configfs link exists, as target core does */
	return rcu_dereference_raw(lun->lun_se_dev);
}

/* The local port @pin names is @se_tpg: same configfs names */
static bool remote_pin_is(const struct remote_pin *pin,
			  struct se_portal_group *se_tpg)
{
	struct config_item *wwn, *fabric;

	if (!se_tpg || !se_tpg->se_tpg_wwn)
		return false;
	wwn = &se_tpg->se_tpg_wwn->wwn_group.cg_item;
	fabric = wwn->ci_parent;
	return fabric && !strcmp(config_item_name(fabric), pin->fabric) &&
	       !strcmp(config_item_name(wwn), pin->wwn) &&
	       !strcmp(config_item_name(&se_tpg->tpg_group.cg_item), pin->tpg);
}

static bool remote_owns(const struct remote_owner *o, struct se_lun *lun)
{
	if (o->pin)
		return remote_pin_is(o->pin, lun->lun_tpg);
	return lun->lun_tpg == o->tpg;
}

/* A port of @dev other than @o's holds @rtpi.  Caller holds se_port_lock. */
static bool remote_rtpi_held(struct se_device *dev,
			     const struct remote_owner *o, u16 rtpi)
{
	struct se_lun *lun;

	list_for_each_entry(lun, &dev->dev_sep_list, lun_dev_link)
		if (lun->lun_rtpi == rtpi && (!o || !remote_owns(o, lun)))
			return true;
	return false;
}

/* A remote TPG or a table entry other than @o reserves @rtpi */
static bool remote_rtpi_reserved(u16 rtpi, const struct remote_owner *o)
{
	struct remote_tpg *tpg;
	struct remote_pin *pin;

	lockdep_assert_held(&remote_rtpi_mutex);
	list_for_each_entry(tpg, &remote_tpgs, all_node)
		if (tpg->rtpi == rtpi && (!o || &tpg->se_tpg != o->tpg))
			return true;
	list_for_each_entry(pin, &remote_pins, node)
		if (pin->rtpi == rtpi && (!o || pin != o->pin))
			return true;
	return false;
}

/*
 * Give @rtpi to every LUN of @dev that @o owns, unless another port of
 * the device holds it.  The old values go to @undo, when given.
 */
static int remote_dev_assign(struct se_device *dev,
			     const struct remote_owner *o, u16 rtpi,
			     struct remote_undo *undo)
{
	struct se_lun *lun;
	int ret = 0;

	spin_lock(&dev->se_port_lock);
	if (remote_rtpi_held(dev, o, rtpi)) {
		ret = -EEXIST;
		goto out;
	}
	list_for_each_entry(lun, &dev->dev_sep_list, lun_dev_link) {
		if (lun->lun_rtpi == rtpi || !remote_owns(o, lun))
			continue;
		if (undo) {
			if (undo->n == undo->max) {
				ret = -EBUSY;	/* LUNs linked meanwhile */
				break;
			}
			undo->v[undo->n].lun = lun;
			undo->v[undo->n].rtpi = lun->lun_rtpi;
			undo->n++;
		}
		lun->lun_rtpi = rtpi;
	}
out:
	spin_unlock(&dev->se_port_lock);
	return ret;
}

/* Put back the values @undo recorded for LUNs of @dev still linked */
static void remote_dev_undo(struct se_device *dev,
			    const struct remote_undo *undo)
{
	struct se_lun *lun;
	unsigned int i;

	spin_lock(&dev->se_port_lock);
	list_for_each_entry(lun, &dev->dev_sep_list, lun_dev_link)
		for (i = 0; i < undo->n; i++)
			if (undo->v[i].lun == lun)
				lun->lun_rtpi = undo->v[i].rtpi;
	spin_unlock(&dev->se_port_lock);
}

/* A LUN of @dev that @o owns does not report @rtpi */
static bool remote_dev_owes(struct se_device *dev,
			    const struct remote_owner *o, u16 rtpi)
{
	struct se_lun *lun;
	bool owes = false;

	spin_lock(&dev->se_port_lock);
	list_for_each_entry(lun, &dev->dev_sep_list, lun_dev_link)
		if (lun->lun_rtpi != rtpi && remote_owns(o, lun))
			owes = true;
	spin_unlock(&dev->se_port_lock);
	return owes;
}

/*
 * Every table entry's port gets its RTPI on @dev.  An entry whose value
 * another port of @dev holds cannot be true there: it leaves the table
 * (local_rtpi never lists a number a port does not report), as a remote
 * TPG's rtpi reads 0 again in the same case.
 */
static void remote_dev_apply_pins(struct se_device *dev)
{
	struct remote_pin *pin, *next;

	list_for_each_entry_safe(pin, next, &remote_pins, node) {
		struct remote_owner o = { .pin = pin };

		if (remote_dev_assign(dev, &o, pin->rtpi, NULL) != -EEXIST ||
		    !remote_dev_owes(dev, &o, pin->rtpi))
			continue;
		pr_warn("local_rtpi: %s/%s/%s: RTPI %u is held by another port of a device it links; the entry is removed\n",
			pin->fabric, pin->wwn, pin->tpg, pin->rtpi);
		list_del(&pin->node);
		remote_npins--;
		kfree(pin);
	}
}

/* What to do on each device a remote TPG's LUNs link */
struct remote_walk {
	const struct remote_owner *o;
	u16 rtpi;
	bool apply_pins;		/* the table first */
	bool undoing;
	struct remote_undo undo;
	int err;
};

static int remote_walk_dev(struct remote_walk *w, struct se_device *dev)
{
	if (w->undoing) {
		remote_dev_undo(dev, &w->undo);
		return 0;
	}
	if (w->apply_pins)
		remote_dev_apply_pins(dev);
	return remote_dev_assign(dev, w->o, w->rtpi, &w->undo);
}

/* Walk the devices of @tpg's LUNs; a NULL @w counts their ports */
static int remote_walk_tpg(struct remote_tpg *tpg, struct remote_walk *w,
			   unsigned int *ports)
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
		if (!w) {
			spin_lock(&dev->se_port_lock);
			*ports += dev->export_count;
			spin_unlock(&dev->se_port_lock);
			continue;
		}
		ret = remote_walk_dev(w, dev);
		if (ret)
			break;
	}
	mutex_unlock(&se_tpg->tpg_lun_mutex);
	return ret;
}

/*
 * Place @o's RTPI on the devices of @only's LUNs, or of every remote
 * TPG's LUNs when @only is NULL: all of them or, on a conflict, none.
 */
static int remote_place(const struct remote_owner *o, u16 rtpi,
			struct remote_tpg *only, bool apply_pins)
{
	struct remote_walk w = { .o = o, .rtpi = rtpi, .apply_pins = apply_pins };
	struct remote_tpg *tpg;
	unsigned int ports = 0;
	int ret = 0;

	lockdep_assert_held(&remote_rtpi_mutex);
	list_for_each_entry(tpg, &remote_tpgs, all_node)
		if (!only || tpg == only)
			remote_walk_tpg(tpg, NULL, &ports);
	w.undo.max = ports + 16;
	w.undo.v = kvmalloc_array(w.undo.max, sizeof(*w.undo.v), GFP_KERNEL);
	if (!w.undo.v)
		return -ENOMEM;
	list_for_each_entry(tpg, &remote_tpgs, all_node) {
		if (only && tpg != only)
			continue;
		ret = remote_walk_tpg(tpg, &w, NULL);
		if (ret)
			break;
	}
	if (ret) {
		w.undoing = true;
		list_for_each_entry(tpg, &remote_tpgs, all_node)
			if (!only || tpg == only)
				remote_walk_tpg(tpg, &w, NULL);
	}
	kvfree(w.undo.v);
	return ret;
}

static int remote_set_rtpi(struct remote_tpg *tpg, u16 rtpi)
{
	struct remote_owner o = { .tpg = &tpg->se_tpg };
	int ret;

	mutex_lock(&remote_rtpi_mutex);
	if (remote_rtpi_reserved(rtpi, &o))
		ret = -EEXIST;
	else
		ret = remote_place(&o, rtpi, tpg, true);
	if (!ret)
		tpg->rtpi = rtpi;
	mutex_unlock(&remote_rtpi_mutex);
	if (ret == -EEXIST)
		pr_info("%s,t,0x%04x: RTPI %u is another port's\n",
			tpg->wwn->port_name, tpg->tag, rtpi);
	return ret;
}

/* The counter's next free value for @lun while its own is reserved */
static void remote_renumber(struct se_device *dev, struct se_lun *lun)
{
	unsigned int tries;
	u16 r;

	for (tries = 0; tries <= U16_MAX; tries++) {
		if (!remote_rtpi_reserved(lun->lun_rtpi, NULL))
			return;
		r = dev->dev_rpti_counter++;
		if (r && !remote_rtpi_held(dev, NULL, r))
			lun->lun_rtpi = r;
	}
}

static int remote_post_link(struct se_portal_group *se_tpg, struct se_lun *lun)
{
	struct remote_tpg *tpg = to_remote_tpg(se_tpg);
	struct remote_owner o = { .tpg = se_tpg };
	struct se_device *dev = remote_lun_dev(lun);
	u16 lost;

	if (!dev)
		return 0;
	mutex_lock(&remote_rtpi_mutex);
	/*
	 * The new LUN first: it leaves the counter's value for its TPG's, or
	 * for one nobody reserves, so that the table's entries find theirs
	 * free on this device afterwards.
	 */
	spin_lock(&dev->se_port_lock);
	if (tpg->rtpi && !remote_rtpi_held(dev, &o, tpg->rtpi)) {
		lun->lun_rtpi = tpg->rtpi;
	} else {
		lost = tpg->rtpi;
		tpg->rtpi = 0;
		remote_renumber(dev, lun);
	}
	spin_unlock(&dev->se_port_lock);
	remote_dev_apply_pins(dev);
	mutex_unlock(&remote_rtpi_mutex);
	if (lost)
		pr_warn("%s,t,0x%04x: RTPI %u is held by another port of the device of LUN %llu, which keeps %u; the TPG's rtpi is unset\n",
			tpg->wwn->port_name, tpg->tag, lost,
			lun->unpacked_lun, lun->lun_rtpi);
	return 0;
}

static ssize_t remote_tpg_rtpi_show(struct config_item *item, char *page)
{
	struct remote_tpg *tpg = to_remote_tpg(item_to_se_tpg(item));
	u16 rtpi;

	mutex_lock(&remote_rtpi_mutex);
	rtpi = tpg->rtpi;
	mutex_unlock(&remote_rtpi_mutex);
	return sysfs_emit(page, "%#x\n", rtpi);
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
	if (!rtpi)		/* reserved (SPC-4) */
		return -EINVAL;
	ret = remote_set_rtpi(to_remote_tpg(se_tpg), rtpi);
	return ret ? ret : count;
}

CONFIGFS_ATTR(remote_tpg_, rtpi);

static struct configfs_attribute *remote_tpg_attrs[] = {
	&remote_tpg_attr_rtpi,
	NULL,
};

/* The table as local_rtpi shows it; 0 when it would not fit a page */
static size_t remote_pins_len(const struct remote_pin *extra)
{
	const struct remote_pin *pin;
	size_t len = 0;

	list_for_each_entry(pin, &remote_pins, node)
		len += strlen(pin->fabric) + strlen(pin->wwn) + strlen(pin->tpg) + 10;
	if (extra)
		len += strlen(extra->fabric) + strlen(extra->wwn) + strlen(extra->tpg) + 10;
	return len < PAGE_SIZE ? len : 0;
}

static ssize_t remote_wwn_local_rtpi_show(struct config_item *item, char *page)
{
	const struct remote_pin *pin;
	ssize_t len = 0;

	mutex_lock(&remote_rtpi_mutex);
	list_for_each_entry(pin, &remote_pins, node)
		len += sysfs_emit_at(page, len, "%s/%s/%s %#x\n", pin->fabric,
				     pin->wwn, pin->tpg, pin->rtpi);
	mutex_unlock(&remote_rtpi_mutex);
	return len;
}

/* "<fabric>/<wwn>/tpgt_N <rtpi>": a new entry, or NULL with @err set */
static struct remote_pin *remote_parse_pin(const char *page, size_t count,
					   int *err)
{
	struct remote_pin *pin;
	char *buf, *sp, *wwn, *tpg;
	u16 tag;
	size_t i;

	*err = -EINVAL;
	if (count && page[count - 1] == '\n')
		count--;
	if (!count || count >= 2 * REMOTE_NAME_LEN)
		return NULL;
	for (i = 0; i < count; i++)
		if (!isgraph(page[i]) && page[i] != ' ')
			return NULL;
	pin = kzalloc(sizeof(*pin) + count + 1, GFP_KERNEL);
	if (!pin) {
		*err = -ENOMEM;
		return NULL;
	}
	buf = pin->fabric;
	memcpy(buf, page, count);
	sp = strchr(buf, ' ');
	if (!sp || strchr(sp + 1, ' ') || kstrtou16(sp + 1, 0, &pin->rtpi))
		goto bad;
	*sp = '\0';
	wwn = strchr(buf, '/');
	tpg = wwn ? strchr(wwn + 1, '/') : NULL;
	if (!tpg || strchr(tpg + 1, '/'))
		goto bad;
	*wwn++ = '\0';
	*tpg++ = '\0';
	if (!*buf || !*wwn || strlen(wwn) >= REMOTE_NAME_LEN ||
	    !strcmp(buf, "remote") || !strcmp(buf, "core") ||
	    remote_parse_tag(tpg, &tag))
		goto bad;
	pin->wwn = wwn;
	pin->tpg = tpg;
	*err = 0;
	return pin;
bad:
	kfree(pin);
	return NULL;
}

static ssize_t remote_wwn_local_rtpi_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct remote_pin *pin, *mine = NULL, *p;
	struct remote_owner o = { };
	bool added = false;
	u16 rtpi;
	int ret;

	pin = remote_parse_pin(page, count, &ret);
	if (!pin) {
		if (ret == -EINVAL)
			pr_info("local_rtpi takes \"<fabric>/<wwn>/tpgt_<tag> <rtpi>\"\n");
		return ret;
	}
	rtpi = pin->rtpi;
	mutex_lock(&remote_rtpi_mutex);
	list_for_each_entry(p, &remote_pins, node)
		if (!strcmp(p->fabric, pin->fabric) && !strcmp(p->wwn, pin->wwn) &&
		    !strcmp(p->tpg, pin->tpg))
			mine = p;
	if (!rtpi) {			/* the entry goes; the LUNs keep theirs */
		if (mine) {
			list_del(&mine->node);
			remote_npins--;
			kfree(mine);
		}
		goto out;
	}
	if (!mine) {
		if (remote_npins >= REMOTE_MAX_PINS || !remote_pins_len(pin)) {
			ret = -ENOSPC;
			goto out;
		}
		mine = pin;
		pin = NULL;
		added = true;
		list_add_tail(&mine->node, &remote_pins);
		remote_npins++;
	}
	o.pin = mine;
	if (remote_rtpi_reserved(rtpi, &o))
		ret = -EEXIST;
	else
		ret = remote_place(&o, rtpi, NULL, false);
	if (!ret) {
		mine->rtpi = rtpi;
	} else if (added) {
		list_del(&mine->node);
		remote_npins--;
		kfree(mine);
	}
out:
	mutex_unlock(&remote_rtpi_mutex);
	kfree(pin);
	if (ret == -EEXIST)
		pr_info("local_rtpi: RTPI %u is another port's\n", rtpi);
	return ret ? ret : count;
}

CONFIGFS_ATTR(remote_wwn_, local_rtpi);

static void remote_pins_free(void)
{
	struct remote_pin *pin, *next;

	list_for_each_entry_safe(pin, next, &remote_pins, node)
		kfree(pin);
	INIT_LIST_HEAD(&remote_pins);
	remote_npins = 0;
}
#endif /* REMOTE_HAS_OWN_RTPI */

/* tpgt_<tag>: one target port group of a peer port */


static struct se_portal_group *remote_make_tpg(struct se_wwn *se_wwn,
					       const char *name)
{
	struct remote_wwn *wwn = to_remote_wwn(se_wwn);
	struct remote_tpg *tpg, *other;
	u16 tag;
	int ret;

	if (remote_parse_tag(name, &tag)) {
		pr_err("%s: TPG name must be tpgt_<0..65535>\n",
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
			pr_err("%s: tag %u already used on %s\n",
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
#ifdef REMOTE_HAS_OWN_RTPI
	mutex_lock(&remote_rtpi_mutex);
	list_add_tail(&tpg->all_node, &remote_tpgs);
	mutex_unlock(&remote_rtpi_mutex);
#endif

	pr_debug("added %s port %s,t,0x%04x\n",
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

	pr_debug("removing port %s,t,0x%04x\n",
		 wwn->port_name, tpg->tag);
#ifdef REMOTE_HAS_OWN_RTPI
	mutex_lock(&remote_rtpi_mutex);
	list_del(&tpg->all_node);
	mutex_unlock(&remote_rtpi_mutex);
#endif
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
		pr_err("port name longer than %d bytes\n",
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
		pr_err("%s: not a naa., fc., 0x, iqn. or eui. port name\n",
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

	pr_debug("added %s port name %s\n",
		 remote_proto_name(wwn->proto_id), wwn->port_name);
	return &wwn->se_wwn;
}

static void remote_drop_wwn(struct se_wwn *se_wwn)
{
	struct remote_wwn *wwn = to_remote_wwn(se_wwn);

	pr_debug("removing port name %s\n", wwn->port_name);
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
		pr_err("initiator name longer than %d bytes\n",
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
#ifdef REMOTE_HAS_OWN_RTPI
	&remote_wwn_attr_local_rtpi,
#endif
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
#ifdef REMOTE_HAS_OWN_RTPI
	remote_pins_free();
#endif
}

module_init(remote_init);
module_exit(remote_exit);

MODULE_DESCRIPTION("TCM remote fabric: peer target ports of a clustered SCSI target");
MODULE_AUTHOR("tcm_remote developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(REMOTE_VERSION);
