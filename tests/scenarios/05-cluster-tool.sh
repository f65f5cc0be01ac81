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
run mkdir -p "$T/remote"

# the whole LIO tree with the attributes the tool manages, to compare
snapshot() {
	find "$T" | sort
	for f in $(find "$T" -name alua_access_state -o -name alua_tg_pt_gp -o -name rtpi \
		-o -name tg_pt_gp_id -o -name preferred | sort); do
		echo "$f: $(cat "$f" 2>/dev/null | head -n1)"
	done
}

expect "the description is valid" 0 "$(liocluster -c $D check >/dev/null 2>&1; echo $?)"
NOPS=$($LC plan | wc -l)
echo "# first plan: $NOPS operations"
check "the first plan has work to do" test "$NOPS" -gt 50
OUT=$($LC apply 2>&1)
expect "apply succeeds" 0 $?
echo "# $OUT"
check "apply reports the operations it ran" sh -c "echo '$OUT' | grep -q '^node-a: $NOPS operations in'"
$LC verify 2>&1 | sed "s/^/#   verify: /"
expect "verify: the node matches" "node-a: matches the description" "$($LC verify 2>&1)"
expect "a second plan is empty" "" "$($LC plan)"
check "a second apply runs zero operations" sh -c "$LC apply | grep -q '^node-a: 0 operations'"

SG0=$(lio_sg lab-lu-0000)
SG1=$(lio_sg lab-lu-0001)
check "both local disks appear" test -n "$SG0" -a -n "$SG1"
# RTPIs by place in 'ports': a-loop 1, b-iscsi 2, on every device and kernel
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
if [ -e "$T/loopback/naa.5001405aaaa00005/tpgt_1/rtpi" ]; then
	# 6.4+: the RTPI belongs to the TPG and survives
	expect "verify: the RTPI survives (per-TPG RTPIs)" "node-a: matches the description" "$($LC verify 2>&1)"
else
	# before 6.4: the device's counter gave the LUN a new number
	check "verify reports the RTPI drift (per-LUN RTPIs)" sh -c \
		"$LC verify 2>&1 | grep -q 'rtpi drift: target/loopback/naa.5001405aaaa00005/tpgt_1/lun/lun_1 reports RTPI 3, the cluster.s is 1'"
fi
echo "# start again from nothing, as after a reboot"
lio_clear
run mkdir -p "$T/remote"
check "a fresh apply after the drift" $LC apply
expect "verify: matches again" "node-a: matches the description" "$($LC verify 2>&1)"
SG0=$(lio_sg lab-lu-0000)

echo "# an incremental change: one more ACL, group 2 preferred"
LC2="liocluster -c /tests/data/lab-cluster-v2.yaml -n node-a"
$LC2 plan | sed 's/^/#   plan: /'
# 2 preferred writes; per port: the ACL, its lun_1 and the link
expect "the change plans 2 + 2 x 3 operations" 8 "$($LC2 plan | wc -l)"
check "the incremental apply succeeds" $LC2 apply
expect "verify against the new description: matches" "node-a: matches the description" "$($LC2 verify 2>&1)"
expect "RTPG: group 2's preferred bit is set" "pref=1" "$(rtpg "$SG0" | grep '^tpg=2 ' | grep -o 'pref=[01]')"

echo "# a failure in the middle rolls everything back"
LC3="liocluster -c /tests/data/lab-cluster-v3.yaml -n node-a"
M=$($LC3 plan | wc -l)
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
check "the same change without the failure applies" $LC3 apply
expect "and verifies" "node-a: matches the description" "$($LC3 verify 2>&1)"

echo "# failover: node-b active/optimized, node-a standby"
check "set-state grp-b active/optimized" $LC3 set-state grp-b active/optimized
check "set-state grp-a standby" $LC3 set-state grp-a standby
RTPG=$(rtpg "$SG0")
echo "$RTPG" | sed 's/^/#   rtpg: /'
expect "RTPG: group 1 is standby" "tpg=1 state=$SB" "$(echo "$RTPG" | grep '^tpg=1 ' | cut -d' ' -f1,2)"
expect "RTPG: group 2 is active/optimized" "tpg=2 state=$AO" "$(echo "$RTPG" | grep '^tpg=2 ' | cut -d' ' -f1,2)"
expect "verify without --states still matches after a failover" 0 \
	"$($LC3 verify >/dev/null 2>&1; echo $?)"
expect "verify --states reports the two groups' states" 1 "$($LC3 verify --states >/dev/null 2>&1; echo $?)"
check "status --json shows group 2 active/optimized" sh -c \
	"$LC3 --json status | grep -q '\"name\":\"grp-b\",\"id\":2,\"state\":\"active/optimized\"'"
check "a re-apply keeps the failed-over states" sh -c "$LC3 apply | grep -q '^node-a: 0 operations'"

echo "# bad input changes nothing"
BEFORE=$(snapshot)
printf 'cluster: lab\nnodes:\n  - name: ../../etc\n' >/tmp/bad.yaml
expect "a path-traversal node name: exit 3" 3 "$(liocluster -c /tmp/bad.yaml -n node-a apply >/dev/null 2>&1; echo $?)"
expect "an unknown command: exit 2" 2 "$($LC3 destroy >/dev/null 2>&1; echo $?)"
expect "an unknown state: exit 2" 2 "$($LC3 set-state grp-a sideways >/dev/null 2>&1; echo $?)"
expect "an unknown group: exit 4" 4 "$($LC3 set-state grp-z standby >/dev/null 2>&1; echo $?)"
expect "the tree is unchanged" "$(echo "$BEFORE" | md5sum)" "$(snapshot | md5sum)"

lio_clear
finish
