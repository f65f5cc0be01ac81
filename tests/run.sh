#!/bin/bash
# make check: every test of the project, ending with "N passed, N failed".
#
#   1. style: checkpatch.pl (from Debian's linux-source) on kmod/
#   1b. the cluster tool: unit tests under ASan/UBSan, a short fuzz run
#   2. the kernel matrix: for each Debian suite, build tcm_remote.ko against
#      its kernel (with that suite's compiler) and run every scenario in
#      tests/scenarios/ in that kernel, booted under qemu
#   3. the two-node cluster (lab/cluster.sh; CLUSTER=no skips it)
#   4. parity: the probe against upstream's module and ours on the first
#      suite whose kernel source has drivers/target/tcm_remote
#   5. the install lab (lab/install.sh, make lab-install; INSTALL=no skips
#      it): the Debian packages, DKMS, reboots, a 6.12 kernel, an upgrade
#      and a purge in a systemd guest
#
# SUITES (default: bullseye bookworm trixie sid) and PARITY_SUITE (default:
# trixie; "none" skips it) narrow or move the runs.  A kernel that cannot be had counts as a
# failure, never as a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
SUITES=${SUITES:-bullseye bookworm trixie sid}
PARITY_SUITE=${PARITY_SUITE:-trixie}
[ "$PARITY_SUITE" = none ] && PARITY_SUITE=
PASSED=0
FAILED=0
TABLE=()

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
# add_counts FILE WHAT: add a runner's closing "N passed, N failed" line
add_counts() {
	local res f
	res=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n1)
	if [ -z "$res" ]; then
		tail -n 30 "$1" | sed 's/^/#   /'
		not_ok "$2 did not run to the end"
		return
	fi
	PASSED=$((PASSED + ${res%% passed*}))
	f=${res#*, }
	FAILED=$((FAILED + ${f%% failed}))
}
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }

lab/lab.sh deps || { echo "0 passed, 1 failed"; exit 1; }

echo "# style: checkpatch.pl --no-tree -f"
if CHECKPATCH=$(lab/lab.sh checkpatch); then
	for f in kmod/tcm_remote.c kmod/compat.h kmod/probes/*.c; do
		if out=$(perl "$CHECKPATCH" --no-tree -f "$f" 2>&1) &&
			echo "$out" | grep -q 'total: 0 errors, 0 warnings'; then
			ok "checkpatch: $f is clean"
		else
			not_ok "checkpatch: $f"
			echo "$out" | sed 's/^/#   /'
		fi
	done
else
	not_ok "checkpatch.pl could not be had from Debian's linux-source package"
fi
# Code paths are chosen by Kbuild's feature probes (kmod/Kbuild), never by
# the kernel's version number.
if versioned=$(grep -l 'LINUX_VERSION_CODE\|KERNEL_VERSION' kmod/*.c kmod/*.h kmod/Kbuild); then
	not_ok "kernel-version tests in kmod/: $versioned"
else
	ok "no kernel-version test in kmod/: Kbuild's feature probes choose the code paths"
fi

echo "# the cluster tool: unit tests (ASan/UBSan) on a stand-in configfs"
if make -s unit >/tmp/unit.$$ 2>&1; then :; fi
sed -n '/^ok \|^not ok \|^#/p' /tmp/unit.$$
add_counts /tmp/unit.$$ "the unit tests"
rm -f /tmp/unit.$$
echo "# the resource agent (ha/liocluster) on the stand-in: ocf-tester and notifications"
tests/ha/agent.sh >/tmp/agent.$$ 2>&1
cat /tmp/agent.$$
add_counts /tmp/agent.$$ "the resource agent's tests"
rm -f /tmp/agent.$$
if make -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >/tmp/fuzz.$$ 2>&1; then
	ok "fuzz: the description parser, ${FUZZ_SECONDS:-60} s of libFuzzer, no finding ($(grep -o 'Done [0-9]* runs' /tmp/fuzz.$$))"
else
	tail -n 30 /tmp/fuzz.$$ | sed 's/^/#   /'
	not_ok "fuzz: libFuzzer found a crash in the description parser (see build/crash-*)"
fi
rm -f /tmp/fuzz.$$

echo "# the cluster tool at scale: make bench (figures; the check is that it converges)"
if make -s bench >/tmp/bench.$$ 2>&1 && grep -q '^  512 ' /tmp/bench.$$ && ! grep -q '(!)' /tmp/bench.$$; then
	sed 's/^/#   /' /tmp/bench.$$
	ok "bench: 4 x 2 x {64..512} LUNs x 32 ACLs planned, applied, re-planned to 0 operations and verified clean"
else
	sed 's/^/#   /' /tmp/bench.$$ | tail -n 30
	not_ok "bench: did not run to the end, or a re-plan after apply was not empty"
fi
rm -f /tmp/bench.$$

BENCH=()
# The install lab boots one systemd guest for half an hour; the kernel
# matrix and parity one small guest at a time.  Each takes one of the two
# cores, so the install lab runs beside them, and its output comes after
# them.  The cluster lab (three guests, with timing-sensitive iSCSI and
# multipath checks) waits until the install lab is done.
INSTALL_LOG=
if [ "${INSTALL:-yes}" != no ]; then
	INSTALL_LOG=$(mktemp)
	echo "# the install lab (lab/install.sh) starts in the background; its results come at the end"
	lab/install.sh >"$INSTALL_LOG" 2>&1 &
	INSTALL_PID=$!
fi
for suite in $SUITES; do
	echo "# kernel matrix: $suite"
	log=$(mktemp)
	# a second try after a pause: a mirror hiccup, or another apt/dpkg on
	# the machine rewriting the status file apt-cache reads
	if ! kdir=$(lab/lab.sh kernel "$suite" 2>"$log") &&
		! { sleep 20; kdir=$(lab/lab.sh kernel "$suite" 2>>"$log"); }; then
		cat "$log"
		not_ok "$suite: its kernel could not be had"
		TABLE+=("$suite|-|unavailable|-|-")
		continue
	fi
	krel=$(cat "$kdir/krel")
	if lab/lab.sh module "$suite" >"$log" 2>&1; then
		ok "$suite: tcm_remote.ko builds for $krel without warnings"
		build=ok
	else
		sed 's/^/#   /' "$log" | tail -n 30
		not_ok "$suite: tcm_remote.ko does not build for $krel"
		TABLE+=("$suite|$krel|FAILED|-|-")
		continue
	fi
	lab/lab.sh run "$suite" tests/scenarios/*.sh 2>&1 | tee "$log"
	result=$(grep '^LAB_RESULT ' "$log" | tail -n1)
	while read -r b; do BENCH+=("$suite: ${b#*BENCH }"); done < <(grep -o 'BENCH .*' "$log")
	if [ -n "$result" ]; then
		p=$(echo "$result" | sed 's/.* passed=\([0-9]*\).*/\1/')
		f=$(echo "$result" | sed 's/.* failed=\([0-9]*\).*/\1/')
		secs=$(echo "$result" | sed 's/.* seconds=\([0-9.]*\).*/\1/')
		PASSED=$((PASSED + p))
		FAILED=$((FAILED + f))
		TABLE+=("$suite|$krel|$build|$p passed, $f failed|$secs s")
	else
		not_ok "$suite: the lab run produced no result"
		TABLE+=("$suite|$krel|$build|no result|-")
	fi
	rm -f "$log"
done

if [ -n "$PARITY_SUITE" ]; then
	echo "# parity with the upstream module ($PARITY_SUITE)"
	# lab.sh parity: 0 all documented, 1 undocumented differences, 2 the
	# probe did not run to the end
	lab/lab.sh parity "$PARITY_SUITE" 2>&1 | tee /tmp/parity.$$
	case $? in
	0) ok "parity on $PARITY_SUITE: $(grep -c '^parity: [-+] ' /tmp/parity.$$) differing probe lines, all documented" ;;
	1) not_ok "parity on $PARITY_SUITE: differences not documented in tests/parity/expected-differences.txt" ;;
	*) not_ok "parity on $PARITY_SUITE: the probe did not run to the end (see above)" ;;
	esac
	rm -f /tmp/parity.$$
fi

if [ -n "$INSTALL_LOG" ]; then
	echo "# the Debian packages in a systemd guest: lab/install.sh (make lab-install)"
	wait "$INSTALL_PID"
	cat "$INSTALL_LOG"
	add_counts "$INSTALL_LOG" "the install lab"
	while read -r b; do BENCH+=("install: ${b#\# figure: }"); done < <(grep '^# figure: ' "$INSTALL_LOG")
	rm -f "$INSTALL_LOG"
fi

if [ "${CLUSTER:-yes}" != no ]; then
	echo "# two target nodes and an initiator: lab/cluster.sh (make lab-cluster)"
	lab/cluster.sh 2>&1 | tee /tmp/cluster.$$
	add_counts /tmp/cluster.$$ "the two-node cluster run"
	while read -r b; do BENCH+=("cluster: ${b#\[full\] }"); done < <(grep '^\[full\] FAILOVER' /tmp/cluster.$$)
	rm -f /tmp/cluster.$$
fi

echo
echo "Kernel matrix"
printf '%-10s %-26s %-8s %-22s %s\n' suite kernel build scenarios boot-to-result
for row in "${TABLE[@]}"; do
	IFS='|' read -r s k b r t <<<"$row"
	printf '%-10s %-26s %-8s %-22s %s\n' "$s" "$k" "$b" "$r" "$t"
done
if [ ${#BENCH[@]} -gt 0 ]; then
	echo
	echo "Benchmarks (figures, not tests)"
	printf '  %s\n' "${BENCH[@]}"
fi
echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
