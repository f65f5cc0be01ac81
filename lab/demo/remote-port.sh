# The demo: what an initiator sees of a two-node cluster from node A, once
# node B's port is mirrored on the remote fabric.  Runs in a lab guest.
. /tests/guest.sh

SERIAL=demo-lu-0001
DEV=$T/core/rd_mcp_0/lu0
LOCAL=$T/loopback/naa.5001405aaaa00001/tpgt_1
PEER=$T/remote/iqn.2026-11.com.example:node-b/tpgt_2

say() { printf '\n%s\n' "$*"; }
show() { printf '\n$ %s\n' "$*"; "$@"; }

# sg_rtpg --decode, with each relative target port identifier explained
rtpg_annotated() {
	printf '\n$ sg_rtpg --decode %s\n' "$SG"
	sg_rtpg --decode "$SG" 2>&1 | awk '
	/target port group id/ { g = $6 }
	/^ *0x[0-9a-f]+ *$/ && g == "0x1" { print $0 "   <- node A port naa.5001405aaaa00001 (tcm_loop, local)"; next }
	/^ *0x[0-9a-f]+ *$/ && g == "0x2" { print $0 "   <- node B port iqn.2026-11.com.example:node-b,t,2 (remote fabric)"; next }
	{ print }'
}

for m in target_core_mod tcm_loop tcm_remote sd_mod sg; do modprobe $m; done

say "== Node A, before: only its own port is known to LIO"
rd_dev rd_mcp_0 lu0 "$SERIAL" >/dev/null
alua_group "$DEV" node_a 1 $AO >/dev/null
alua_group "$DEV" node_b 2 $SB >/dev/null
mkdir -p "$LOCAL"
echo naa.5001405bbbb00001 >"$LOCAL/nexus"
mkdir "$LOCAL/lun/lun_0"
ln -s "$DEV" "$LOCAL/lun/lun_0/port"
echo node_a >"$LOCAL/lun/lun_0/alua_tg_pt_gp"
SG=$(lio_sg "$SERIAL")
show sg_rtpg --decode "$SG"
say "   Only group 1 appears: an initiator that reaches node B learns nothing of it here."

say "== Mirror node B's port on the remote fabric (what tcm_remote is for)"
show mkdir "$T/remote"
show mkdir -p "$PEER/lun/lun_0"
show ln -s "$DEV" "$PEER/lun/lun_0/port"
printf '\n$ echo node_b > %s\n' "$PEER/lun/lun_0/alua_tg_pt_gp"
echo node_b >"$PEER/lun/lun_0/alua_tg_pt_gp"

say "== Node A, after: REPORT TARGET PORT GROUPS, as the initiator sees it"
rtpg_annotated
say "== Failover: node B active/optimized, node A standby"
echo $AO >"$DEV/alua/node_b/alua_access_state"
echo $SB >"$DEV/alua/node_a/alua_access_state"
sg_turs "$SG" >/dev/null 2>&1   # consume the ASYMMETRIC ACCESS STATE CHANGED unit attention
rtpg_annotated
lio_clear
pass "demo ran"
finish
