# Scenario 4: relative target port identifiers chosen by the admin.
#
# Every node of a cluster must report the same RTPI for the same port.  The
# remote fabric's ports take the RTPI their own node reports, written to
# tpgt_N/rtpi (target core's attribute from Linux 6.4, tcm_remote's before).
# The local port's RTPI is settable only from 6.4; before, it comes from a
# per-device counter in LUN-creation order (docs/rtpi.md).
. /tests/guest.sh

SERIAL=rtpi-lu-0001
DEV=$T/core/rd_mcp_4/lu0
LOCAL=$T/loopback/naa.5001405aaaa00004/tpgt_1
PEER=$T/remote/iqn.2026-11.com.example:node-b/tpgt_7
PEER2=$T/remote/iqn.2026-11.com.example:node-c/tpgt_3

run modprobe tcm_loop
run modprobe tcm_remote
run modprobe sd_mod
run modprobe sg

rd_dev rd_mcp_4 lu0 "$SERIAL"
alua_group "$DEV" node_a 1 $AO
alua_group "$DEV" node_b 2 $ANO
alua_group "$DEV" node_c 3 $SB

run mkdir -p "$LOCAL"
if [ -e "$LOCAL/rtpi" ]; then
	echo "# this kernel keeps RTPIs per TPG: the local port's is chosen too"
	put 0x11 "$LOCAL/rtpi"
	LOCAL_RTPI=17
else
	echo "# this kernel numbers LUNs per device: the local port's LUN is first"
	LOCAL_RTPI=1
fi
put naa.5001405bbbb00004 "$LOCAL/nexus"
run mkdir "$LOCAL/lun/lun_0"
run ln -s "$DEV" "$LOCAL/lun/lun_0/port"
put node_a "$LOCAL/lun/lun_0/alua_tg_pt_gp"

echo "# node B's port: RTPI written before its LUN is linked"
run mkdir -p "$PEER/lun/lun_0"
put 0x22 "$PEER/rtpi"
run ln -s "$DEV" "$PEER/lun/lun_0/port"
put node_b "$PEER/lun/lun_0/alua_tg_pt_gp"
echo "# node C's port: RTPI written after its LUN is linked"
run mkdir -p "$PEER2/lun/lun_0"
run ln -s "$DEV" "$PEER2/lun/lun_0/port"
put node_c "$PEER2/lun/lun_0/alua_tg_pt_gp"
put 51 "$PEER2/rtpi"

expect "node B's rtpi reads back as written" 0x22 "$(cat "$PEER/rtpi")"
expect "node C's rtpi reads back (decimal 51 is 0x33)" 0x33 "$(cat "$PEER2/rtpi")"
expect_op EINVAL "RTPI 0 is reserved (SPC-4)" write "$PEER/rtpi" 0
expect_op ERANGE "RTPI 65536 does not fit 16 bits" write "$PEER/rtpi" 65536
expect_op EINVAL "RTPI given as a word" write "$PEER/rtpi" two
expect "node B's rtpi is unchanged by the refused writes" 0x22 "$(cat "$PEER/rtpi")"

SG=$(lio_sg "$SERIAL")
check "the local disk appears" test -n "$SG"
RTPG=$(rtpg "$SG")
echo "$RTPG" | sed 's/^/#   rtpg: /'
expect "RTPG: group 1 holds the local port, RTPI $LOCAL_RTPI" \
	"tpg=1 state=$AO ports=$LOCAL_RTPI" "$(echo "$RTPG" | grep '^tpg=1 ' | sed 's/ pref=[0-9]* status=[0-9]*//')"
expect "RTPG: group 2 holds node B's port with the RTPI written before linking (0x22)" \
	"tpg=2 state=$ANO ports=34" "$(echo "$RTPG" | grep '^tpg=2 ' | sed 's/ pref=[0-9]* status=[0-9]*//')"
expect "RTPG: group 3 holds node C's port with the RTPI written after linking (0x33)" \
	"tpg=3 state=$SB ports=51" "$(echo "$RTPG" | grep '^tpg=3 ' | sed 's/ pref=[0-9]* status=[0-9]*//')"
VPD=$(sg_vpd -p 0x83 -r "$SG" | vpd83_decode)
expect "VPD 0x83: the relative target port designator is the local port's RTPI" \
	"$(printf 'value=%08x' $LOCAL_RTPI)" "$(echo "$VPD" | awk '/assoc=1 type=4 /' | sed 's/.* //')"

echo "# changing a peer's RTPI is seen at once"
put 0x44 "$PEER/rtpi"
expect "RTPG: node B's port now reports RTPI 0x44" "ports=68" \
	"$(rtpg "$SG" | grep '^tpg=2 ' | sed 's/.* //')"

lio_clear
finish
