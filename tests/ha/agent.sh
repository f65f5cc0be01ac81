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

# explicit ALUA: an initiator's STPG on node-b becomes a request that
# Pacemaker promote node-b.  Pacemaker's attribute tools are stood in for
# as they behave: attrd_updater keeps transient node attributes (-U sets,
# -Q prints name="" host="" value="", exit 1 when unset, -D deletes);
# crm_attribute -p -v N records the instance's promotion score.
mkdir -p "$W/sbin" "$W/attrd"
cat >"$W/sbin/attrd_updater" <<'STUB'
#!/bin/bash
op= v= n= node=
while [ $# -gt 0 ]; do
	case $1 in
	-U) op=U v=$2; shift ;; -Q) op=Q ;; -D) op=D ;;
	-n) n=$2; shift ;; -N) node=$2; shift ;;
	*) echo "attrd_updater: unknown option $1" >&2; exit 64 ;;
	esac
	shift
done
f=$(dirname "$0")/../attrd/$n@$node
case $op in
U) echo "$v" >"$f" ;;
D) rm -f "$f" ;;
Q) [ -f "$f" ] || { echo "Could not query value of $n: attribute does not exist" >&2; exit 105; }
   echo "name=\"$n\" host=\"$node\" value=\"$(cat "$f")\"" ;;
*) exit 64 ;;
esac
STUB
cat >"$W/sbin/crm_attribute" <<'STUB'
#!/bin/bash
while [ $# -gt 0 ]; do [ "$1" = -v ] && echo "$2" >"$(dirname "$0")/../score"; shift; done
STUB
chmod 755 "$W/sbin/attrd_updater" "$W/sbin/crm_attribute"
sed -e 's/preferred: true/preferred: true\n    access: both/' \
	-e 's/transition_time: 5/transition_time: 5\n    access: both/' "$DESC" >"$W/explicit.yaml"
build/standin init "$W/cfs2" per-lun >/dev/null
build/standin fc-port "$W/cfs2" 21000024ff00000b >/dev/null	# node-b has an FC port
B="env HA_SBIN_DIR=$W/sbin OCF_RESKEY_config=$W/explicit.yaml OCF_RESKEY_node=node-b OCF_RESKEY_configfs=$W/cfs2 OCF_RESKEY_state_dir=$W/st2 $AGENT"
LB="build/liocluster-standin -r $W/cfs2 --state-dir $W/st2 -c $W/explicit.yaml -n node-b"
rb() { $B "$@" >"$W/out" 2>&1; }
req() { cat "$W/attrd/liocluster-stpg-lio@$1" 2>/dev/null || echo none; }
LUN_B=target/iscsi/iqn.2026-11.com.example:unit.node-b/tpgt_2/lun/lun_0
rb start
expect "explicit: node-b started unpromoted" "0 standby" "$? $($LB get-state grp-b)"
env OCF_RESKEY_CRM_meta_notify_type=post OCF_RESKEY_CRM_meta_notify_operation=promote \
	OCF_RESKEY_CRM_meta_notify_active_uname="node-a node-b" OCF_RESKEY_CRM_meta_notify_promote_uname=node-a \
	$B notify >"$W/out" 2>&1
expect "explicit: node-a promoted, as node-b answers" active/optimized "$($LB get-state grp-a)"
rb monitor
expect "explicit: monitor, unpromoted, score 10" "0 10" "$? $(cat "$W/score")"
expect "explicit: an STPG through node-b's port making grp-b active/optimized" OK \
	"$(build/standin stpg "$W/cfs2" $LUN_B 0:2)"
$LB requests >/dev/null
expect "explicit: liocluster requests lists it (exit 1)" 1 $?
rb monitor
rc=$?
expect "explicit: monitor puts node-b's group back to standby, still unpromoted" "0 standby" "$rc $($LB get-state grp-b)"
expect "explicit: ... records a request to promote node-b and scores it 1000" "yes 1000" \
	"$([ "$(req node-b)" != none ] && echo yes) $(cat "$W/score")"
grep -q 'SET TARGET PORT GROUPS' "$W/out"
expect "explicit: ... and says why in the log" 0 $?
$LB requests >/dev/null
expect "explicit: no request left in configfs" 0 $?
rb monitor
expect "explicit: a pending request keeps the score at 1000" "0 1000" "$? $(cat "$W/score")"
rb promote
expect "explicit: promote serves it: grp-b active/optimized, request gone, score 100" \
	"0 active/optimized none 100" "$? $($LB get-state grp-b) $(req node-b) $(cat "$W/score")"
build/standin stpg "$W/cfs2" $LUN_B 2:2 2:1 >/dev/null
rb monitor
expect "explicit: an STPG lowering both groups: put back, promoted still, nobody asked for" \
	"8 active/optimized active/optimized none none" \
	"$? $($LB get-state grp-b) $($LB get-state grp-a) $(req node-a) $(req node-b)"
rb demote
echo $(($(date +%s) - 400)) >"$W/attrd/liocluster-stpg-lio@node-b"
rb monitor
expect "explicit: a request older than 300 s is dropped: score 10" "0 none 10" "$? $(req node-b) $(cat "$W/score")"
expect "explicit: an STPG making node-a's group active/optimized through node-b" OK \
	"$(build/standin stpg "$W/cfs2" $LUN_B 2:1 >/dev/null; $LB set-state grp-a standby >/dev/null; build/standin stpg "$W/cfs2" $LUN_B 0:1)"
rb monitor
expect "explicit: ... asks for node-a, not node-b" "0 standby yes none" \
	"$? $($LB get-state grp-a) $([ "$(req node-a)" != none ] && echo yes) $(req node-b)"
build/standin stpg "$W/cfs" target/iscsi/iqn.2026-11.com.example:unit.node-a/tpgt_1/lun/lun_0 0:2 >"$W/out"
expect "implicit only (the default description): target core refuses the STPG" EOPNOTSUPP "$(cat "$W/out")"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
