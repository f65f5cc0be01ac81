#!/bin/bash
# The resource agent ha/liocluster on the stand-in configfs (no kernel, no
# cluster): resource-agents' ocf-tester, its meta-data against
# ra-api-1.dtd, and what ocf-tester does not try - notifications that set
# the peers' groups, drift found and repaired by monitor, bad parameters.
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
AGENT=$TOP/ha/liocluster
DESC=$TOP/tests/unit/data/two-nodes.yaml
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
# expect DESC WANT GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "#   expected: $2"; echo "#   got:      $3"; fi
}

W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
chmod 755 "$W"
build/standin init "$W/cfs" per-lun >/dev/null
export LIOCLUSTER_STANDIN=1 HA_RSCTMP=$W/rsc OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=lio
export OCF_RESKEY_config=$DESC OCF_RESKEY_node=node-a OCF_RESKEY_configfs=$W/cfs \
	OCF_RESKEY_state_dir=$W/st OCF_RESKEY_binary=$TOP/build/liocluster-standin
LC="build/liocluster-standin -r $W/cfs --state-dir $W/st -c $DESC -n node-a"
ra() { "$AGENT" "$@" >"$W/out" 2>&1; }
state() { $LC get-state "$1" 2>/dev/null; }

if out=$(ocf-tester -n lio -o config="$DESC" -o node=node-a -o configfs="$W/cfs" \
	-o state_dir="$W/st" -o binary="$TOP/build/liocluster-standin" "$AGENT" 2>&1) &&
	echo "$out" | grep -q 'passed all tests'; then
	ok "ocf-tester: $(echo "$out" | tail -n1)"
else
	not_ok "ocf-tester"
	echo "$out" | sed 's/^/#   /'
fi
if "$AGENT" meta-data | xmllint --noout --dtdvalid /usr/share/resource-agents/ra-api-1.dtd - 2>"$W/xml"; then
	ok "meta-data is valid against ra-api-1.dtd"
else
	not_ok "meta-data against ra-api-1.dtd"
	sed 's/^/#   /' "$W/xml"
fi

# a fresh start: node-a unpromoted; a probe says so
ra stop
ra start
expect "start: exit 0" 0 $?
expect "start: node-a's group is unpromoted (standby)" standby "$(state grp-a)"
OCF_RESKEY_CRM_meta_interval=0 __OCF_ACTION=monitor ra monitor
expect "probe of a started, unpromoted instance: OCF_SUCCESS" 0 $?

# notifications: what Pacemaker gave the peer, node-b, on node-a's answer
notify() {
	env OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation="$1" \
		OCF_RESKEY_CRM_meta_notify_active_uname="$2" OCF_RESKEY_CRM_meta_notify_promoted_uname="$3" \
		OCF_RESKEY_CRM_meta_notify_start_uname="$4" OCF_RESKEY_CRM_meta_notify_stop_uname="$5" \
		OCF_RESKEY_CRM_meta_notify_promote_uname="$6" OCF_RESKEY_CRM_meta_notify_demote_uname="$7" \
		"$AGENT" notify >"$W/out" 2>&1
}
$LC set-state grp-b unavailable >/dev/null	# as a stopped node-b left it
notify start "node-a" "" "node-b" "" "" ""
expect "post-start of node-b: exit 0" 0 $?
expect "post-start of node-b: grp-b unpromoted here" standby "$(state grp-b)"
notify promote "node-a node-b" "" "" "" "node-b" ""
expect "post-promote of node-b: grp-b promoted here" active/optimized "$(state grp-b)"
expect "post-promote of node-b: node-a's own group untouched" standby "$(state grp-a)"
notify demote "node-a node-b" "node-b" "" "" "" "node-b"
expect "post-demote of node-b: grp-b unpromoted here" standby "$(state grp-b)"
notify promote "node-a node-b" "" "" "" "node-b" ""
notify stop "node-a node-b" "node-b" "" "node-b" "" "node-b"
expect "post-stop of node-b (fenced): grp-b unavailable here" unavailable "$(state grp-b)"
env OCF_RESKEY_CRM_meta_notify_type=pre OCF_RESKEY_CRM_meta_notify_operation=start \
	OCF_RESKEY_CRM_meta_notify_start_uname=node-b "$AGENT" notify >"$W/out" 2>&1
expect "pre-notifications change nothing" unavailable "$(state grp-b)"

# promote and monitor's codes
ra promote
expect "promote: exit 0" 0 $?
ra monitor
expect "monitor of the promoted instance: OCF_RUNNING_MASTER" 8 $?
expect "promote: grp-a active/optimized" active/optimized "$(state grp-a)"

# drift: a mapped LUN removed behind the tool's back
ACL=$(cd "$W/cfs" && ls -d target/iscsi/*node-a/tpgt_1/acls/*client-1/lun_0)
LINK=$(cd "$W/cfs" && ls "$ACL" | grep -v -e '^write_protect$' -e '^info$' | head -n1)
build/standin unlink "$W/cfs" "$ACL/$LINK" >/dev/null
$LC verify >/dev/null 2>&1
expect "drift made by hand is seen by verify" 1 $?
OCF_RESKEY_repair=false ra monitor
expect "monitor with repair=false reports drift: OCF_ERR_GENERIC" 1 $?
ra monitor
expect "monitor repairs drift and still reports promoted" 8 $?
$LC verify >/dev/null 2>&1
expect "after the repair: verify clean" 0 $?

# demote and stop
ra demote
expect "demote: exit 0, grp-a unpromoted" "0 standby" "$? $(state grp-a)"
ra stop
expect "stop: exit 0, grp-a unavailable" "0 unavailable" "$? $(state grp-a)"
ra monitor
expect "monitor after stop: OCF_NOT_RUNNING" 7 $?
ra notify
expect "notify on a stopped instance: exit 0" 0 $?

# bad parameters
OCF_RESKEY_promoted_state=bogus ra validate-all
expect "validate-all: a promoted_state that is no ALUA state: OCF_ERR_CONFIGURED" 6 $?
OCF_RESKEY_node=node-z ra validate-all
expect "validate-all: a node not in the description: OCF_ERR_CONFIGURED" 6 $?
OCF_RESKEY_config=$W/none.yaml ra validate-all
expect "validate-all: no description: OCF_ERR_INSTALLED" 5 $?
OCF_RESKEY_config=$W/none.yaml OCF_RESKEY_CRM_meta_interval=0 __OCF_ACTION=monitor ra monitor
expect "probe on a node without the description: OCF_NOT_RUNNING" 7 $?
printf 'cluster: [\n' >"$W/bad.yaml"
OCF_RESKEY_config=$W/bad.yaml ra start
expect "start with a bad description: OCF_ERR_CONFIGURED" 6 $?
ra bogus
expect "an unknown action: OCF_ERR_UNIMPLEMENTED" 3 $?

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
