# Scenario 8: a seeded random stress of the remote fabric (lab/guest/stress.c).
#
# Random mkdir/rmdir/symlink/unlink/attribute writes on every object kind of
# the remote fabric and on local tcm_loop ports of the same backstores, with
# the module unloaded and loaded again while backstores and local ports stay
# populated; after every K operations the RTPI invariants are checked (a
# remote TPG's rtpi is its LUNs' RTPI; local_rtpi entries hold where the
# module applies them; no two ports of a device share an RTPI where the
# module places RTPIs; REPORT TARGET PORT GROUPS through a tcm_loop disk
# lists exactly the RTPIs the LUNs' indx files read).  Every sequence ends
# with a full teardown and `rmmod tcm_remote`.
#
# Parameters, from the kernel command line (lab/lab.sh stress passes them;
# make check boots with the defaults): STRESS_SEEDS (how many seeds, 4),
# STRESS_FIRST (the first seed, 1), STRESS_SEQS (sequences per seed, 3),
# STRESS_OPS (operations per sequence, 200), STRESS_K (check interval, 20),
# STRESS_SELFTEST (1: first show that the checker reports a wrong reading).
# Even seeds run with two writers at once.
. /tests/guest.sh

SEEDS=${STRESS_SEEDS:-4}
FIRST=${STRESS_FIRST:-1}
SEQS=${STRESS_SEQS:-3}
OPS=${STRESS_OPS:-200}
K=${STRESS_K:-20}

run modprobe target_core_mod
run modprobe target_core_file
run modprobe tcm_loop
run modprobe sg
lio_clear
# stress loads tcm_remote itself (finit_module) and unloads it after each
# sequence; start unloaded
[ -e /sys/module/tcm_remote ] && run rmmod tcm_remote

if [ "${STRESS_SELFTEST:-1}" = 1 ]; then
	echo "# the checker's self-test: one indx read wrong on purpose (stress -X) must be reported"
	stress -s 7 -n 1 -o 30 -k 30 -X >/tmp/stress.out 2>&1
	rc=$?
	grep -E '^VIOLATION' /tmp/stress.out | head -n 3 | sed 's/^/# /'
	expect "stress -X exits 1 (a violation)" 1 "$rc"
	check "stress -X reports the RTPG/indx mismatch (I4)" grep -q '^VIOLATION .* I4 ' /tmp/stress.out
	check "stress -X still tore down and unloaded" test ! -e /sys/module/tcm_remote
fi

echo "# stress: seeds $FIRST..$((FIRST + SEEDS - 1)), $SEQS sequences x $OPS operations, checks every $K"
s=$FIRST
hung=0
while [ $s -lt $((FIRST + SEEDS)) ]; do
	w=1
	[ $((s % 2)) = 0 ] && w=2
	start=$(cut -d' ' -f1 /proc/uptime)
	stress -s "$s" -n "$SEQS" -o "$OPS" -k "$K" -w "$w" >/tmp/stress.out 2>&1
	rc=$?
	end=$(cut -d' ' -f1 /proc/uptime)
	# VIOLATION lines and reproducers first, at most 200 lines of them
	grep -v '^STRESS' /tmp/stress.out | head -n 200 | sed 's/^/# /'
	grep '^STRESS' /tmp/stress.out | sed "s/^STRESS seed=[0-9]* /&guest_seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }') /; s/^/# /"
	sum=$(grep '^STRESS seed=' /tmp/stress.out)
	v=$(echo "$sum" | sed -n 's/.* violations=\([0-9]*\).*/\1/p')
	tf=$(echo "$sum" | sed -n 's/.* teardown_failures=\([0-9]*\).*/\1/p')
	rf=$(echo "$sum" | sed -n 's/.* rmmod_failures=\([0-9]*\).*/\1/p')
	ops=$(echo "$sum" | sed -n 's/.* operations=\([0-9]*\).*/\1/p')
	case $rc in
	0) pass "seed $s ($w writer(s)): ${ops:-?} operations, every invariant held, every teardown and rmmod succeeded" ;;
	3) fail "seed $s ($w writer(s)): the stress hung or was killed (configfs wedged?)"; hung=1; break ;;
	*) fail "seed $s ($w writer(s)): ${v:-?} invariant violations, ${tf:-?} failed teardowns, ${rf:-?} failed rmmods (exit $rc)" ;;
	esac
	s=$((s + 1))
done

if [ $hung = 0 ]; then
	absent "no remote fabric directory is left" "$T/remote"
	check "tcm_remote is unloaded after the last sequence" test ! -e /sys/module/tcm_remote
	# the module loads and unloads again after the stress
	check "tcm_remote loads again" modprobe tcm_remote
	check "tcm_remote unloads again" rmmod tcm_remote
	lio_clear
else
	echo "# the stress hung: configfs is left alone"
fi
finish
