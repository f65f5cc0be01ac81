# Scenario 6: a from-scratch apply at scale, measured.
#
# 2 nodes x 2 ports x 64 LUNs x 8 ACLs; the guest is node-a (a tcm_loop and
# an iSCSI port of its own, node-b's two iSCSI ports mirrored).  Checks
# that the result is right; prints the operation count and times, and the
# ratio to the same operations run back to back by cfsop (no planning, no
# reading back), measured in the same guest just before.
. /tests/guest.sh

# seconds since boot, to the hundredth (busybox date has no %N)
now() { cut -d' ' -f1 /proc/uptime; }

run modprobe tcm_loop
run modprobe tcm_remote
run modprobe iscsi_target_mod
run ip link set lo up
run mkdir -p "$T/remote"

D=/tmp/scale.yaml
{
	echo "cluster: scale"
	echo "nodes: [ { name: node-a }, { name: node-b } ]"
	echo "devices:"
	i=0
	while [ $i -lt 64 ]; do
		echo "  - { name: lu$i, backstore: rd_mcp, size: 1M, serial: scale-lu-$i }"
		i=$((i + 1))
	done
	echo "alua_groups:"
	echo "  - { name: grp-a, id: 1, state: active/optimized, preferred: true }"
	echo "  - { name: grp-b, id: 2, state: active/non-optimized }"
	echo "ports:"
	echo "  - { node: node-a, fabric: loopback, wwn: naa.5001405aaaa00006, tpg: 1, group: grp-a, nexus: naa.5001405bbbb00006 }"
	echo "  - { node: node-a, fabric: iscsi, wwn: iqn.2026-11.com.example:scale.node-a, tpg: 1, group: grp-a, portals: [ \"127.0.0.1:3260\" ] }"
	echo "  - { node: node-b, fabric: iscsi, wwn: iqn.2026-11.com.example:scale.node-b, tpg: 1, group: grp-b }"
	echo "  - { node: node-b, fabric: iscsi, wwn: iqn.2026-11.com.example:scale.node-b, tpg: 2, group: grp-b }"
	echo "luns:"
	i=0
	while [ $i -lt 64 ]; do
		echo "  - { lun: $i, device: lu$i }"
		i=$((i + 1))
	done
	echo "acls:"
	i=1
	while [ $i -le 8 ]; do
		echo "  - { initiator: iqn.2026-11.com.example:client-$i }"
		i=$((i + 1))
	done
} >$D
LC="liocluster -c $D -n node-a"
check "the generated description is valid" liocluster -c $D check

# The reference: the same operations, run by cfsop from a list (apply
# makes the remote fabric's directory before its plan: so does this)
$LC -v plan | grep '^  ' >/tmp/scale.plan
NOPS=$(grep -vc '^  mkdir   target/remote$' /tmp/scale.plan)
awk -v r=/sys/kernel/config/ '
	$1 == "mkdir" { print "mkdir " r $2 }
	$1 == "write" { v = $0; sub(/^ *write +[^ ]+ = /, "", v); print "write " r $2 " " v }
	$1 == "symlink" { print "symlink " r $4 " " r $2 }' /tmp/scale.plan >/tmp/scale.ops
T0=$(now)
cfsop - </tmp/scale.ops >/tmp/scale.out
REF_RC=$?
T1=$(now)
expect "the reference run of the $NOPS operations succeeds" 0 $REF_RC
expect "the reference result matches the description" 0 "$($LC verify >/dev/null 2>&1; echo $?)"
# the plan reversed takes it all down again, in one process
awk '$1 == "mkdir" { print "rmdir " $2 } $1 == "symlink" { print "unlink " $3 }' /tmp/scale.ops |
	sed -n '1!G;h;$p' >/tmp/scale.down
check "the reference tree comes down again" sh -c 'cfsop - </tmp/scale.down'

T2=$(now)
OUT=$($LC apply 2>&1)
RC=$?
T3=$(now)
expect "apply of the whole cluster succeeds" 0 $RC
echo "# $OUT"
T6=$(now)
expect "verify: matches" "node-a: matches the description" "$($LC verify 2>&1)"
T7=$(now)
T4=$(now)
expect "a re-apply runs zero operations" "node-a: 0 operations" "$($LC apply | sed 's/ in .*//')"
T5=$(now)
# The floor of a no-op re-apply: every object of the plan read back once by
# cfsop (list each directory, read each attribute, read each link), with no
# description, no plan and no comparison
awk '$1 == "mkdir" { print "list " $2 } $1 == "write" && $2 !~ /\/control$/ { print "get " $2 } $1 == "symlink" { print "readlink " $3 }' \
	/tmp/scale.ops >/tmp/scale.reads
T8=$(now)
cfsop - </tmp/scale.reads >/tmp/scale.reads.out
READ_RC=$?
T9=$(now)
expect "the read floor's walk reads every object back" 0 $READ_RC
expect "node-a exports 64 LUNs on each of its 2 ports, mirrors 2 x 64" 256 \
	"$(ls -d "$T"/loopback/*/tpgt_*/lun/lun_* "$T"/iscsi/*/tpgt_*/lun/lun_* "$T"/remote/*/tpgt_*/lun/lun_* | wc -l)"
# iSCSI initiators' ACLs go to the iSCSI ports (a-iscsi and node-b's two)
expect "every iSCSI port has 8 ACLs with 64 mapped LUNs each" 1536 \
	"$(ls -d "$T"/*/*/tpgt_*/acls/*/lun_*/lun | wc -l)"
expect "the iSCSI TPG is enabled" 1 "$(cat "$T"/iscsi/iqn.2026-11.com.example:scale.node-a/tpgt_1/enable)"
awk -v n="$NOPS" -v a="$T0" -v b="$T1" -v c="$T2" -v d="$T3" -v e="$T4" -v f="$T5" -v g="$T6" -v h="$T7" \
	-v i="$T8" -v j="$T9" 'BEGIN {
	printf "# BENCH scale 2x2x64x8: %d operations; apply %.2f s, %.2fx the same operations by cfsop (%.2f s; goal <= 1.1); no-op re-apply %.2f s, %.0f%% of the apply (goal <= 10%%), %.2fx the read floor (cfsop reading the objects back: %.2f s, %.0f%% of the apply); verify %.2f s, %.2fx the apply (goal <= 0.5)\n",
		n, d - c, (d - c) / (b - a), b - a, f - e, 100 * (f - e) / (d - c), (f - e) / (j - i), j - i, 100 * (j - i) / (d - c), h - g, (h - g) / (d - c) }'
check "the applied tree comes down again" sh -c 'cfsop - </tmp/scale.down'
lio_clear
finish
