# Scenario 5: liocluster against the real kernel.
#
# The guest is node-a of tests/scenarios/data/lab-cluster.yaml.  Apply,
# verify, re-apply (nothing to do), change the description, fail in the
# middle (injected, and refused by the kernel) and roll back, then fail
# over with set-state and watch REPORT TARGET PORT GROUPS follow.
. /tests/guest.sh

D=/tests/data/lab-cluster.yaml
LC="liocluster -c $D -n node-a"

run modprobe tcm_loop
run modprobe tcm_remote
run modprobe sd_mod
run modprobe sg

# the whole LIO tree with the attributes the tool manages, to compare
snapshot() {
	find "$T" | sort
	for f in $(find "$T" -name alua_access_state -o -name alua_tg_pt_gp -o -name rtpi \
		-o -name tg_pt_gp_id -o -name preferred -o -name indx -o -name write_protect \
		-o -name local_rtpi | sort); do
		echo "$f: $(cat "$f" 2>/dev/null | head -n1)"
	done
}
# plan_ops LC: how many configfs operations the plan has
plan_ops() { $1 --json plan | sed -n 's/.*"count":\([0-9]*\)}$/\1/p'; }

expect "the description is valid" 0 "$(liocluster -c $D check >/dev/null 2>&1; echo $?)"
$LC plan | sed 's/^/#   plan: /'
NOPS=$(plan_ops "$LC")
echo "# first plan: $NOPS operations"
check "the first plan has work to do" test "$NOPS" -gt 50
OUT=$($LC apply 2>&1)
expect "apply succeeds" 0 $?
echo "# $OUT"
# apply makes the remote fabric's directory first (it tells how the kernel
# numbers ports), then runs the plan
check "apply reports the operations it ran" sh -c "echo '$OUT' | grep -Eq '^node-a: ($NOPS|$((NOPS - 1))) operations in'"
$LC verify 2>&1 | sed "s/^/#   verify: /"
expect "verify: the node matches" "node-a: matches the description" "$($LC verify 2>&1)"
expect "a second plan is empty" 0 "$(plan_ops "$LC")"
check "a second apply runs zero operations" sh -c "$LC apply | grep -q '^node-a: 0 operations'"

SG0=$(lio_sg lab-lu-0000)
SG1=$(lio_sg lab-lu-0001)
check "both local disks appear" test -n "$SG0" -a -n "$SG1"
# RTPIs derived in list order: a-loop 1, b-iscsi 2, on every device and kernel
for sg in $SG0 $SG1; do
	RTPG=$(rtpg "$sg")
	echo "$RTPG" | sed "s|^|#   $sg rtpg: |"
	expect "RTPG ($sg): group 1 active/optimized holds node-a's port, RTPI 1" \
		"tpg=1 state=$AO ports=1" "$(echo "$RTPG" | grep '^tpg=1 ' | sed 's/ pref=[0-9]* status=[0-9]*//')"
	expect "RTPG ($sg): group 2 standby holds node-b's mirrored port, RTPI 2" \
		"tpg=2 state=$SB ports=2" "$(echo "$RTPG" | grep '^tpg=2 ' | sed 's/ pref=[0-9]* status=[0-9]*//')"
done

echo "# a LUN of node-a's own port unlinked and linked again by hand"
L=$T/loopback/naa.5001405aaaa00005/tpgt_1/lun/lun_1
run rm "$L/lu1"
run ln -s "$T/core/fileio_42/lu1" "$L/lu1"
run sh -c "echo grp-a > $L/alua_tg_pt_gp"
if [ -e "$T/remote/local_rtpi" ]; then
	# before 6.4: the device's counter gave the LUN a new number; verify
	# sees it, apply pins it back through tcm_remote (docs/rtpi.md)
	check "verify reports the RTPI drift (per-LUN RTPIs)" sh -c \
		"$LC verify 2>&1 | grep -q '^rtpi: target/loopback/naa.5001405aaaa00005/tpgt_1/lun/lun_1/statistics/scsi_port/indx reports'"
	check "apply mends it" $LC apply
else
	echo "# 6.4+: the RTPI belongs to the TPG and survives"
fi
expect "verify: matches" "node-a: matches the description" "$($LC verify 2>&1)"
expect "RTPG: node-a's port is RTPI 1 again" "ports=1" \
	"$(rtpg "$SG1" | grep '^tpg=1 ' | sed 's/.* //')"

echo "# start again from nothing, as after a reboot"
lio_clear
check "a fresh apply after the drift" $LC apply
expect "verify: matches again" "node-a: matches the description" "$($LC verify 2>&1)"
SG0=$(lio_sg lab-lu-0000)

echo "# an incremental change: a third device, one more ACL, group 2 preferred"
LC2="liocluster -c /tests/data/lab-cluster-v2.yaml -n node-a"
$LC2 -v plan | sed 's/^/#   plan: /'
# lu2: HBA exists; device, control, serial, enable, 2 groups x (mkdir, id,
# type, state where not AO); LUN 2 on both ports (mkdir, link, group);
# the pin (before 6.4); the ACL on the iSCSI mirror (mkdir, lun_1, link);
# grp-b preferred on 2 devices
check "the change plans only the new objects and properties" sh -c \
	"$LC2 --json plan | grep -q '\"summary\":{\"create\":'"
check "the incremental apply succeeds" $LC2 apply
expect "verify against the new description: matches" "node-a: matches the description" "$($LC2 verify 2>&1)"
expect "RTPG: group 2's preferred bit is set" "pref=1" "$(rtpg "$SG0" | grep '^tpg=2 ' | grep -o 'pref=[01]')"

echo "# a failure in the middle rolls everything back"
LC3="liocluster -c /tests/data/lab-cluster-v3.yaml -n node-a"
M=$(plan_ops "$LC3")
echo "# the next change: $M operations"
BEFORE=$(snapshot)
OUT=$($LC3 --inject-failure $((M / 2)) apply 2>&1)
expect "an injected failure: apply exits 4" 4 $?
echo "# $OUT"
check "it says which operation failed and that the rest was undone" \
	sh -c "echo '$OUT' | grep -q 'operation $((M / 2)) of $M failed.*were undone'"
expect "the tree is as it was" "$(echo "$BEFORE" | md5sum)" "$(snapshot | md5sum)"
expect "verify against the old description: still matches" \
	"node-a: matches the description" "$($LC2 verify 2>&1)"
OUT=$(liocluster -c /tests/data/lab-cluster-v4.yaml -n node-a apply 2>&1)
expect "a step the kernel refuses (iblock on a missing disk): apply exits 4" 4 $?
echo "# $OUT"
expect "the tree is as it was" "$(echo "$BEFORE" | md5sum)" "$(snapshot | md5sum)"
if [ "$(echo "$BEFORE" | md5sum)" != "$(snapshot | md5sum)" ]; then
	echo "$BEFORE" >/tmp/before
	snapshot >/tmp/after
	diff /tmp/before /tmp/after | head -n 20 | sed 's/^/#   /'
fi
check "the same change without the failure applies" $LC3 apply
expect "and verifies" "node-a: matches the description" "$($LC3 verify 2>&1)"

echo "# failover: node-b active/optimized, node-a standby"
check "set-state grp-b active/optimized" $LC3 set-state grp-b active/optimized
check "set-state grp-a standby" $LC3 set-state grp-a standby
RTPG=$(rtpg "$SG0")
echo "$RTPG" | sed 's/^/#   rtpg: /'
expect "RTPG: group 1 is standby" "tpg=1 state=$SB" "$(echo "$RTPG" | grep '^tpg=1 ' | cut -d' ' -f1,2)"
expect "RTPG: group 2 is active/optimized" "tpg=2 state=$AO" "$(echo "$RTPG" | grep '^tpg=2 ' | cut -d' ' -f1,2)"
expect "verify after the failover matches (the states are kept)" 0 \
	"$($LC3 verify >/dev/null 2>&1; echo $?)"
expect "get-state grp-b" active/optimized "$($LC3 get-state grp-b)"
check "a re-apply keeps the failed-over states" sh -c "$LC3 apply | grep -q '^node-a: 0 operations'"
run sh -c "echo $AO > $T/core/rd_mcp_42/lu0/alua/grp-a/alua_access_state"
check "a state changed behind the tool's back: verify reports it" sh -c \
	"$LC3 verify 2>&1 | grep -q '^state: target/core/rd_mcp_42/lu0/alua/grp-a/alua_access_state is 0'"
check "and apply puts it back" $LC3 apply
expect "RTPG: group 1 is standby again" "tpg=1 state=$SB" "$(rtpg "$SG0" | grep '^tpg=1 ' | cut -d' ' -f1,2)"
$LC3 status | sed 's/^/#   status: /'

echo "# bad input changes nothing"
BEFORE=$(snapshot)
printf 'cluster: lab\nnodes:\n  - name: ../../etc\n' >/tmp/bad.yaml
expect "a path-traversal node name: exit 3" 3 "$(liocluster -c /tmp/bad.yaml -n node-a apply >/dev/null 2>&1; echo $?)"
expect "an unknown command: exit 2" 2 "$($LC3 destroy >/dev/null 2>&1; echo $?)"
expect "an unknown state: exit 2" 2 "$($LC3 set-state grp-a sideways >/dev/null 2>&1; echo $?)"
expect "an unknown group: exit 4" 4 "$($LC3 set-state grp-z standby >/dev/null 2>&1; echo $?)"
expect "an unknown node: exit 4" 4 "$(liocluster -c /tests/data/lab-cluster-v3.yaml -n node-z set-state grp-a standby >/dev/null 2>&1; echo $?)"
expect "the tree is unchanged" "$(echo "$BEFORE" | md5sum)" "$(snapshot | md5sum)"

echo "# clear: what liocluster made goes, nothing else"
check "clear" $LC3 clear
check "nothing of the cluster is left" sh -c "! ls -d $T/remote/iqn* $T/loopback/naa* $T/core/*_42 2>/dev/null | grep -q ."
lio_clear
finish
