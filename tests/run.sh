#!/bin/bash
# make check: every test of the project, ending with "N passed, N failed".
#
#   1. host: the module's style (checkpatch.pl from Debian's linux-source)
#   2. host: the module builds against the lab kernel's headers, warning-free
#   3. lab: every scenario in tests/scenarios/ in a booted Debian kernel,
#      plus the guest kernel log check
set -uo pipefail
cd "$(dirname "$0")/.."
SUITE=${1:-bookworm}
PASSED=0
FAILED=0

ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }

lab/lab.sh deps || { echo "0 passed, 1 failed"; exit 1; }

echo "# style: checkpatch.pl --no-tree -f"
if CHECKPATCH=$(lab/lab.sh checkpatch); then
	for f in kmod/tcm_remote.c kmod/compat.h; do
		extra=()
		# compat.h exists to test kernel versions; that is its one job.
		[ "$f" = kmod/compat.h ] && extra=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
		if out=$(perl "$CHECKPATCH" --no-tree -f "${extra[@]}" "$f" 2>&1) &&
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

echo "# build: kmod/ against the $SUITE kernel's headers with -Werror"
if ko=$(lab/lab.sh module "$SUITE"); then
	ok "tcm_remote.ko builds for $SUITE without warnings ($(basename "$(dirname "$ko")"))"
else
	not_ok "tcm_remote.ko does not build for $SUITE"
fi

echo "# lab: the scenarios in a booted $SUITE kernel"
out=$(mktemp)
lab/lab.sh run "$SUITE" tests/scenarios/*.sh 2>&1 | tee "$out"
result=$(grep '^LAB_RESULT ' "$out" | tail -n1)
if [ -n "$result" ]; then
	p=$(echo "$result" | sed 's/.* passed=\([0-9]*\).*/\1/')
	f=$(echo "$result" | sed 's/.* failed=\([0-9]*\).*/\1/')
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
else
	not_ok "the lab run for $SUITE produced no result"
fi
rm -f "$out"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
