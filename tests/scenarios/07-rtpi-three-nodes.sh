# Scenario 7: the same RTPIs on every node of a three-node cluster.
#
# tests/scenarios/data/three-nodes.yaml lists node-b's port (RTPI 2), then
# node-c's (RTPI 7), then node-a's (RTPI 3).  The guest plays each node in
# turn: its own port is a local tcm_loop port, the other two are mirrored on
# the remote fabric.  On every kernel, REPORT TARGET PORT GROUPS through the
# local port must show RTPI 3 in group 1, 2 in group 2 and 7 in group 3 -
# with another tool's port on the same device, and after a LUN was removed
# and added back (before 6.4 the kernel's per-device counter would have
# moved on; tcm_remote's local_rtpi pins the local port's number).
. /tests/guest.sh

D=/tests/data/three-nodes.yaml
run modprobe tcm_loop
run modprobe tcm_remote
run modprobe iscsi_target_mod
run modprobe sd_mod
run modprobe sg

# groups 1, 2 and 3 with their ports' RTPIs, from RTPG through SG
groups_of() {
	rtpg "$1" | grep -E '^tpg=[123] ' | sed 's/ state=[0-9]* pref=[0-9]* status=[0-9]*//' | sort | tr '\n' ' '
}
WANT="tpg=1 ports=3 tpg=2 ports=2 tpg=3 ports=7 "

for NODE in node-a node-b node-c; do
	LC="liocluster -c $D -n $NODE"
	echo "# --- the guest is $NODE"
	check "$NODE: apply" $LC apply
	echo "# another tool's iSCSI port exports lu0 too (it takes the device's next number)"
	O=$T/iscsi/iqn.2026-12.com.example:other/tpgt_1
	run mkdir -p "$O/lun/lun_0"
	run ln -s "$T/core/rd_mcp_42/lu0" "$O/lun/lun_0/x"
	SG0=$(lio_sg three-lu-0000)
	SG1=$(lio_sg three-lu-0001)
	check "$NODE: both local disks appear" test -n "$SG0" -a -n "$SG1"
	expect "$NODE: RTPG via the local port, lu0: groups 1, 2, 3 with RTPIs 3, 2, 7" "$WANT" "$(groups_of "$SG0")"
	expect "$NODE: RTPG via the local port, lu1: the same" "$WANT" "$(groups_of "$SG1")"
	expect "$NODE: VPD 0x83 names the local port's RTPI" "$(printf 'value=%08x' $(case $NODE in node-a) echo 3;; node-b) echo 2;; *) echo 7;; esac))" \
		"$(sg_vpd -p 0x83 -r "$SG0" | vpd83_decode | awk '/assoc=1 type=4 /' | sed 's/.* //')"
	echo "# LUN 1 out of the description, then back"
	check "$NODE: apply without LUN 1" liocluster -c /tests/data/three-nodes-no-lun1.yaml -n $NODE apply
	check "$NODE: apply with LUN 1 again" $LC apply
	SG1=$(lio_sg three-lu-0001)
	expect "$NODE: RTPG via the local port, lu1 added back: groups 1, 2, 3 with RTPIs 3, 2, 7" "$WANT" "$(groups_of "$SG1")"
	$LC verify 2>&1 | sed 's/^/#   verify: /'
	expect "$NODE: verify" "$NODE: matches the description" "$($LC verify 2>&1)"
	for l in "$T"/*/*/tpgt_1/lun/lun_*; do
		echo "#   $(echo "$l" | sed "s|$T/||"): RTPI $(cat "$l/statistics/scsi_port/indx")"
	done
	echo "# the other tool takes its port away; liocluster clears the node"
	run rm "$O/lun/lun_0/x"
	run rmdir "$O/lun/lun_0" "$O" "${O%/*}"
	check "$NODE: clear" $LC clear
	lio_clear
done
finish
