# Scenario 2: bad input on the remote fabric.
#
# Every operation below is wrong in some way; each must fail with the errno
# given, and afterwards the configfs tree must be exactly what it was.
# Where the errno comes from target core or configfs rather than from
# tcm_remote, the comment says which rule applies.  Note that target core
# turns every error of a fabric's make_wwn/make_tpg into EINVAL.
. /tests/guest.sh

DEV=$T/core/rd_mcp_0/lu0
W=$T/remote/iqn.2026-11.com.example:node-b
TPG=$W/tpgt_1
OTHER=$W/tpgt_2
INIT=iqn.2026-11.com.example:client-1
ACL=$TPG/acls/$INIT

run modprobe target_core_mod
run modprobe tcm_remote

echo "# a small valid tree to aim at"
rd_dev rd_mcp_0 lu0 bad-input-lu0
run mkdir "$T/core/rd_mcp_0/unconfigured"
alua_group "$DEV" peer 2 $SB
run mkdir -p "$T/remote" "$TPG/lun/lun_0" "$TPG/lun/lun_1" "$OTHER/lun/lun_0"
run ln -s "$DEV" "$TPG/lun/lun_0/port"
run ln -s "$DEV" "$OTHER/lun/lun_0/port"
put peer "$TPG/lun/lun_0/alua_tg_pt_gp"
run mkdir -p "$ACL/lun_0"
run ln -s "$TPG/lun/lun_0" "$ACL/lun_0/map"
run mkdir -p /tmp/outside

snapshot() {
	find "$T" | sort
	cat "$TPG/lun/lun_0/alua_tg_pt_gp" "$DEV/alua/peer/alua_access_state"
}
BEFORE=$(snapshot)

echo "# WWN names (tcm_remote: naa., fc., 0x, iqn. or eui. forms)"
expect_op EINVAL "WWN without a port-name form" mkdir "$T/remote/node-b"
expect_op EINVAL "WWN markers are case-sensitive" mkdir "$T/remote/NAA.5001405000000001"
expect_op EINVAL "fc. with no port name after it" mkdir "$T/remote/fc."
expect_op EINVAL "0x with no port name after it" mkdir "$T/remote/0x"
LONG=naa.$(printf '%0252d' 1)
expect_op ENAMETOOLONG "256-byte WWN name (VFS NAME_MAX)" mkdir "$T/remote/$LONG"
expect_op EEXIST "WWN named like the fabric's version attribute" mkdir "$T/remote/version"
expect_op EEXIST "WWN named like the discovery_auth group" mkdir "$T/remote/discovery_auth"

echo "# TPG names (tcm_remote: tpgt_<decimal 0..65535>, one TPG per tag)"
for n in tpgt_ tpgt_abc tpgt_-1 tpgt_65536 tpgt_99999999999999999999 tpg_1 \
	tpgt_1x tpgt_0x10 tpgt_1.5 lun tpgt_+2 tpgt_02 tpgt_00 "tpgt_ 2" "tpgt_2 "; do
	expect_op EINVAL "TPG named '$n' (one spelling per tag)" mkdir "$W/$n"
done
NL=$(printf '\nx')
NL=${NL%x}
expect_op EINVAL "TPG named tpgt_1 and a newline" mkdir "$W/tpgt_1$NL"
expect_op EINVAL "tpgt_01 while tpgt_1 exists (not a second spelling of tag 1)" mkdir "$W/tpgt_01"
expect_op EPERM "a directory in the TPG's attrib group (no make_group)" mkdir "$TPG/attrib/x"
expect_op EPERM "a directory in fabric_statistics" mkdir "$W/fabric_statistics/x"

echo "# LUNs (target core: lun_<number>, links to configured backstores)"
expect_op EINVAL "LUN named lun" mkdir "$TPG/lun/lun"
expect_op EINVAL "LUN named foo_0" mkdir "$TPG/lun/foo_0"
expect_op EINVAL "LUN named lun_abc" mkdir "$TPG/lun/lun_abc"
expect_op ERANGE "LUN number beyond 64 bits" mkdir "$TPG/lun/lun_99999999999999999999"
expect_op EFAULT "LUN linked to an HBA, not a backstore" symlink "$T/core/rd_mcp_0" "$TPG/lun/lun_1/port"
expect_op EFAULT "LUN linked to another LUN" symlink "$OTHER/lun/lun_0" "$TPG/lun/lun_1/port"
expect_op ENODEV "LUN linked to a backstore that is not enabled" \
	symlink "$T/core/rd_mcp_0/unconfigured" "$TPG/lun/lun_1/port"
expect_op EPERM "LUN linked to a directory outside configfs" symlink /tmp/outside "$TPG/lun/lun_1/port"
expect_op EEXIST "a second backstore link in a linked LUN" symlink "$DEV" "$TPG/lun/lun_0/port2"
expect_op EPERM "a link placed directly in tpgt_1" symlink "$DEV" "$TPG/port"
expect_op ENODEV "LUN joining an ALUA group that does not exist" \
	write "$TPG/lun/lun_0/alua_tg_pt_gp" no_such_group
expect_op ENODEV "ALUA group for a LUN without a backstore" \
	write "$TPG/lun/lun_1/alua_tg_pt_gp" peer
expect_op EINVAL "ALUA group name longer than target core's buffer" \
	write "$TPG/lun/lun_0/alua_tg_pt_gp" "$(printf 'g%.0s' $(seq 1 300))"

echo "# ACLs and mapped LUNs"
expect_op EINVAL "initiator name of 224 bytes (would be truncated)" \
	mkdir "$TPG/acls/iqn.$(printf '%0220d' 7)"
expect_op EEXIST "the same initiator twice" mkdir "$TPG/acls/$INIT"
expect_op EINVAL "mapped LUN named lun" mkdir "$ACL/lun"
expect_op EINVAL "mapped LUN named lun_x" mkdir "$ACL/lun_x"
run mkdir "$ACL/lun_1"
expect_op EINVAL "mapped LUN linked to another TPG's LUN" symlink "$OTHER/lun/lun_0" "$ACL/lun_1/map"
expect_op EFAULT "mapped LUN linked to a backstore" symlink "$DEV" "$ACL/lun_1/map"
expect_op EINVAL "mapped LUN linked to a LUN without a backstore" symlink "$TPG/lun/lun_1" "$ACL/lun_1/map"
run rmdir "$ACL/lun_1"

echo "# attributes"
expect_op EACCES "writing the read-only version attribute" write "$T/remote/version" x
expect_op EINVAL "ALUA state 5 (reserved in SPC-4)" write "$DEV/alua/peer/alua_access_state" 5
expect_op EINVAL "ALUA state given as a word" write "$DEV/alua/peer/alua_access_state" optimized
expect_op EACCES "creating a regular file in a WWN" create "$W/notes.txt"

echo "# removing what is in use"
expect_op ENOTEMPTY "removing the fabric while it has a WWN" rmdir "$T/remote"
expect_op ENOTEMPTY "removing a WWN that has TPGs" rmdir "$W"
expect_op ENOTEMPTY "removing a TPG that has LUNs" rmdir "$TPG"
expect_op ENOTEMPTY "removing a LUN that is linked to a backstore" rmdir "$OTHER/lun/lun_0"
expect_op EBUSY "removing a LUN that an ACL maps (configfs: link target)" rmdir "$TPG/lun/lun_0"
expect_op EPERM "removing a TPG's lun group (a default group)" rmdir "$TPG/lun"
expect_op ENOTEMPTY "removing an ACL that maps a LUN" rmdir "$ACL"
expect_op EBUSY "removing the backstore a remote LUN links to" rmdir "$DEV"
expect_op EAGAIN "unloading tcm_remote while its fabric directory exists" rmmod tcm_remote

AFTER=$(snapshot)
expect "the configfs tree and attributes are unchanged by all of the above" \
	"$(echo "$BEFORE" | md5sum)" "$(echo "$AFTER" | md5sum)"
if [ "$BEFORE" != "$AFTER" ]; then
	echo "$BEFORE" >/tmp/before; echo "$AFTER" >/tmp/after
	diff /tmp/before /tmp/after | sed 's/^/#   /'
fi

echo "# the limits accept what they should"
expect_op OK "tpgt_0 (accepted, as upstream does)" mkdir "$W/tpgt_0"
expect_op OK "tpgt_65535, the largest 16-bit tag" mkdir "$W/tpgt_65535"
expect_op OK "a 255-byte naa. name" mkdir "$T/remote/${LONG%?}"
expect_op OK "an eui. iSCSI name" mkdir "$T/remote/eui.0123456789abcdef"
expect_op OK "an fc. name" mkdir "$T/remote/fc.21000024ff000001"
expect_op OK "a 223-byte initiator name" mkdir "$TPG/acls/iqn.$(printf '%0219d' 7)"
expect_op OK "ALUA state 3 (unavailable)" write "$DEV/alua/peer/alua_access_state" $UA
expect "the group's state reads back as 3" 3 "$(cat "$DEV/alua/peer/alua_access_state")"

echo "# clean up"
run rmdir "$TPG/acls/iqn.$(printf '%0219d' 7)" "$W/tpgt_0" "$W/tpgt_65535" \
	"$T/remote/${LONG%?}" "$T/remote/eui.0123456789abcdef" "$T/remote/fc.21000024ff000001"
run rm "$ACL/lun_0/map" "$TPG/lun/lun_0/port" "$OTHER/lun/lun_0/port"
run rmdir "$ACL/lun_0" "$ACL" "$TPG/lun/lun_0" "$TPG/lun/lun_1" "$OTHER/lun/lun_0" \
	"$TPG" "$OTHER" "$W" "$T/remote"
check "tcm_remote unloads once its tree is gone" rmmod tcm_remote
absent "no remote fabric directory is left" "$T/remote"
lio_clear
finish
