# Scenario 1: the mission in one guest.
#
# This node exports one logical unit through its own port (a tcm_loop
# target, standing in for the node's real iSCSI/FC port, and giving us a
# local SCSI disk to send commands to) in ALUA group 1, active/optimized.
# The peer node's port for the same unit is mirrored on the remote fabric
# in ALUA group 2, standby, with an ACL for the peer's initiator.  From the
# initiator's side, REPORT TARGET PORT GROUPS must then describe both ports.
. /tests/guest.sh

SERIAL=c1u5t3r-lu-0001
DEV=$T/core/rd_mcp_0/lu0
LOCAL=$T/loopback/naa.5001405aaaa00001/tpgt_1
PEER_WWN=iqn.2026-11.com.example:node-b
PEER=$T/remote/$PEER_WWN/tpgt_2
PEER_INIT=iqn.2026-11.com.example:client-1

run modprobe target_core_mod
run modprobe tcm_loop
run modprobe tcm_remote
run modprobe sd_mod
run modprobe sg

echo "# the backstore and its two ALUA groups"
rd_dev rd_mcp_0 lu0 "$SERIAL"
alua_group "$DEV" node_a 1 $AO
alua_group "$DEV" node_b 2 $SB

echo "# this node's port: nexus first, then the LUN"
run mkdir -p "$LOCAL"
# From Linux 6.4 target core keeps RTPIs per TPG and leaves them 0 for
# fabrics that are never enabled (tcm_loop, remote) until one is written;
# before, each LUN gets the next number of a per-device counter.
[ -e "$LOCAL/rtpi" ] && put 1 "$LOCAL/rtpi"
put naa.5001405bbbb00001 "$LOCAL/nexus"
run mkdir "$LOCAL/lun/lun_0"
run ln -s "$DEV" "$LOCAL/lun/lun_0/port"
put node_a "$LOCAL/lun/lun_0/alua_tg_pt_gp"

echo "# the peer's port, mirrored on the remote fabric"
check "remote fabric directory can be created" mkdir "$T/remote"
check "the fabric's version attribute names the remote fabric" \
	grep -q 'TCM Remote Fabric module' "$T/remote/version"
run mkdir -p "$PEER/lun/lun_0"
# tpgt_N/rtpi exists for the remote fabric on every kernel (tcm_remote
# provides it where target core does not)
put 2 "$PEER/rtpi"
expect "the peer port's RTPI reads back in target core's format" 0x2 "$(cat "$PEER/rtpi")"
run ln -s "$DEV" "$PEER/lun/lun_0/port"
put node_b "$PEER/lun/lun_0/alua_tg_pt_gp"
run mkdir -p "$PEER/acls/$PEER_INIT/lun_0"
run ln -s "$PEER/lun/lun_0" "$PEER/acls/$PEER_INIT/lun_0/peer_lun"

echo "# the configfs view"
for g in lun acls attrib param auth; do
	check "remote tpgt_2 has the standard $g group" test -d "$PEER/$g"
done
check "the peer LUN is a member of group node_b" \
	grep -q "remote/$PEER_WWN/tpgt_2/lun_0" "$DEV/alua/node_b/members"
check "the local LUN is a member of group node_a" \
	grep -q "loopback/naa.5001405aaaa00001/tpgt_1/lun_0" "$DEV/alua/node_a/members"
check "the peer initiator's mapped LUN points at the peer port's lun_0" \
	test "$(readlink -f "$PEER/acls/$PEER_INIT/lun_0/peer_lun")" = "$(readlink -f "$PEER/lun/lun_0")"
expect "the peer's ACL is listed in the TPG" "$PEER_INIT" "$(ls "$PEER/acls")"

echo "# the initiator's view through this node's port"
SG=$(lio_sg "$SERIAL")
check "the local port's disk appears with unit serial $SERIAL" test -n "$SG"

# INQUIRY: a direct-access block device (PDT 0), LIO's vendor, and TPGS=3
# because a new LIO group allows both implicit and explicit ALUA.
expect "INQUIRY: PDT 0, TPGS 3 (implicit+explicit ALUA), vendor LIO-ORG" \
	"pdt=0 tpgs=3 vendor=LIO-ORG" "$(sg_inq -r "$SG" | inquiry_decode)"

# RTPI: 1 for the local port (written, or the counter's first number on
# kernels before 6.4), 2 for the peer's (written).
RTPG=$(rtpg "$SG")
echo "$RTPG" | sed 's/^/#   rtpg: /'
# Status codes (SPC-4 table 164): 0 "no status available" for group 1,
# which never changed state (a new group starts active/optimized); 2
# "altered by implicit ALUA behavior" for group 2, which the target
# itself (configfs) moved to standby.
expect "RTPG: group 1 active/optimized with the local port, RTPI 1" \
	"tpg=1 state=$AO pref=0 status=0 ports=1" "$(echo "$RTPG" | grep '^tpg=1 ')"
expect "RTPG: group 2 standby with the peer's port, RTPI 2" \
	"tpg=2 state=$SB pref=0 status=2 ports=2" "$(echo "$RTPG" | grep '^tpg=2 ')"
# Every port left the default group (id 0) when it joined its own.  LIO
# reports an empty group with no ports (5.10) or not at all (6.x).
expect "RTPG: the groups that have target ports are exactly 1 and 2" "1 2" \
	"$(echo "$RTPG" | grep -v 'ports=$' | sed 's/^tpg=\([0-9]*\).*/\1/' | sort -n | tr '\n' ' ' | sed 's/ $//')"
expect "RTPG: every port appears exactly once" "1 2" \
	"$(echo "$RTPG" | sed -n 's/.*ports=//p' | tr ',' '\n' | grep . | sort -n | tr '\n' ' ' | sed 's/ $//')"

# VPD 0x83: association 1 (target port) designators of type 4 (relative
# target port) and 5 (target port group) describe the port the command came
# through; association 0 type 3 is the LU's NAA name.
VPD=$(sg_vpd -p 0x83 -r "$SG" | vpd83_decode)
echo "$VPD" | sed 's/^/#   vpd83: /'
expect "VPD 0x83: relative target port designator is 1 (the local port)" \
	"assoc=1 type=4 value=00000001" \
	"$(echo "$VPD" | awk '/assoc=1 type=4 /' | sed 's/ proto=[0-9]* piv=[0-9]*//')"
expect "VPD 0x83: target port group designator is 1" \
	"assoc=1 type=5 value=00000001" \
	"$(echo "$VPD" | awk '/assoc=1 type=5 /' | sed 's/ proto=[0-9]* piv=[0-9]*//')"
# NAA 6 (IEEE Registered Extended), OUI 00-14-05 (LIO's default company_id)
check "VPD 0x83: the LU has an NAA-6 designator under OUI 001405" \
	sh -c "echo '$VPD' | grep -q 'assoc=0 type=3 proto=0 piv=0 value=6001405'"
expect "VPD 0x80: unit serial as configured" "$SERIAL" \
	"$(sg_vpd -p 0x80 -r "$SG" | vpd80_serial)"

echo "# a second peer LUN must not show through the local port"
rd_dev rd_mcp_0 lu1 c1u5t3r-lu-0002
run mkdir "$PEER/lun/lun_5"
run ln -s "$T/core/rd_mcp_0/lu1" "$PEER/lun/lun_5/port"
expect "REPORT LUNS through the local port lists LUN 0 only" "0" \
	"$(sg_luns -r "$SG" | luns_decode | tr '\n' ' ' | sed 's/ $//')"
check "TEST UNIT READY succeeds on the local disk" sg_turs "$SG"

echo "# failover: the peer becomes active/non-optimized, this node standby"
put $ANO "$DEV/alua/node_b/alua_access_state"
put $SB "$DEV/alua/node_a/alua_access_state"
# SPC-4 5.16.2.5: an implicit state change sets a unit attention
# (ASYMMETRIC ACCESS STATE CHANGED) for the initiator's I_T nexus.
sg_rtpg -r "$SG" >/dev/null 2>&1
expect "the first command after the change gets a UNIT ATTENTION" $SG_UA $?
RTPG=$(rtpg "$SG")
echo "$RTPG" | sed 's/^/#   rtpg: /'
expect "RTPG after failover: group 1 standby, RTPI 1" \
	"tpg=1 state=$SB pref=0 status=2 ports=1" "$(echo "$RTPG" | grep '^tpg=1 ')"
expect "RTPG after failover: group 2 active/non-optimized, RTPI 2" \
	"tpg=2 state=$ANO pref=0 status=2 ports=2" "$(echo "$RTPG" | grep '^tpg=2 ')"
put 1 "$DEV/alua/node_b/preferred"
expect "RTPG: the preferred bit of group 2 is reported" "pref=1" \
	"$(rtpg "$SG" | grep '^tpg=2 ' | grep -o 'pref=[01]')"

echo "# tear down in reverse order"
run rm "$PEER/acls/$PEER_INIT/lun_0/peer_lun"
run rmdir "$PEER/acls/$PEER_INIT/lun_0" "$PEER/acls/$PEER_INIT"
run rm "$PEER/lun/lun_5/port" "$PEER/lun/lun_0/port"
run rmdir "$PEER/lun/lun_5" "$PEER/lun/lun_0" "$PEER" "$T/remote/$PEER_WWN" "$T/remote"
RTPG=$(rtpg "$SG")
expect "RTPG after the peer port is removed: only group 1 has a port" \
	"tpg=1 state=$SB pref=0 status=2 ports=1" "$(echo "$RTPG" | grep -v 'ports=$')"
check "tcm_remote unloads once its configfs tree is gone" rmmod tcm_remote
lio_clear
finish
