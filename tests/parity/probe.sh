# Parity probe: the same operations against whichever tcm_remote is loaded
# (ours, or upstream's built from Debian's linux-source), reported as
# "PARITY ..." lines that the host diffs (lab/lab.sh parity).  Lines hold
# no device names, times or addresses, so two runs compare line by line.
. /tests/guest.sh

R=$T/remote
W=$R/naa.5001405000000001
P() { echo "PARITY $*"; }
op() { P "$1 ${2#"$T"/}${3:+ ${3#"$T"/}} -> $(cfsop "$@" | head -n1)"; }
# try_name PATH: can a directory be made there?  It is removed again, so
# the tree dumped below is the same whichever names were accepted.
try_name() {
	r=$(cfsop mkdir "$1" | head -n1)
	P "mkdir ${1#"$T"/} -> $r" | sed "s/0\{200,\}/0.../"
	[ "$r" = OK ] && rmdir "$1"
}

run modprobe tcm_loop
run modprobe tcm_remote
run modprobe sd_mod
run modprobe sg

echo "# fabric and WWN names"
op mkdir "$R"
for n in naa.5001405000000002 iqn.2026-11.com.example:peer eui.0123456789abcdef \
	fc.21000024ff000001 0x1234abcd fc. 0x node-b NAA.5001405000000002 \
	iqn.2005-10.org.example:fc.disk xnaa.5001405000000003 \
	"naa.$(printf '%0251d' 4)"; do
	try_name "$R/$n"
done
op mkdir "$W"

echo "# TPG names"
for n in tpgt_0 tpgt_31 tpgt_32 tpgt_300 tpgt_65535 tpgt_65536 tpgt_ \
	tpgt_abc tpgt_-1 tpg_1 tpgt_1x tpgt_0x10 lun tpgt_+2 tpgt_02; do
	try_name "$W/$n"
done
op mkdir "$W/tpgt_1"

echo "# a tree: backstore, ALUA group, LUN, ACL, mapped LUN, RTPI"
rd_dev rd_mcp_9 lu0 parity-lu-0001 >/dev/null
DEV=$T/core/rd_mcp_9/lu0
alua_group "$DEV" node_a 1 $AO >/dev/null
alua_group "$DEV" node_b 2 $SB >/dev/null
op mkdir "$W/tpgt_1/lun/lun_0"
op symlink "$DEV" "$W/tpgt_1/lun/lun_0/port"
op write "$W/tpgt_1/lun/lun_0/alua_tg_pt_gp" node_b
op write "$W/tpgt_1/rtpi" 2
op mkdir "$W/tpgt_1/acls/iqn.2026-11.com.example:client-1"
op mkdir "$W/tpgt_1/acls/iqn.2026-11.com.example:client-1/lun_0"
op symlink "$W/tpgt_1/lun/lun_0" "$W/tpgt_1/acls/iqn.2026-11.com.example:client-1/lun_0/map"
try_name "$W/tpgt_1/acls/iqn.$(printf '%0219d' 7)"
try_name "$W/tpgt_1/acls/iqn.$(printf '%0220d' 7)"
op mkdir "$W/tpgt_1/lun/lun_abc"
op symlink "$T/core/rd_mcp_9" "$W/tpgt_1/lun/lun_0/port2"
op write "$W/tpgt_1/rtpi" 0
op write "$R/version" x

echo "# the configfs tree: names and modes"
find "$R" | sort | while read -r f; do
	P "tree $(stat -c '%A' "$f") ${f#"$T"/}"
done
P "version: $(cat "$R/version")"
P "rtpi: $(cat "$W/tpgt_1/rtpi")"
P "members node_b: $(cat "$DEV/alua/node_b/members")"

echo "# the initiator's view through a local tcm_loop port"
L=$T/loopback/naa.5001405aaaa00009/tpgt_1
mkdir -p "$L"
echo 1 >"$L/rtpi"
echo naa.5001405bbbb00009 >"$L/nexus"
mkdir "$L/lun/lun_0"
ln -s "$DEV" "$L/lun/lun_0/port"
echo node_a >"$L/lun/lun_0/alua_tg_pt_gp"
SG=$(lio_sg parity-lu-0001)
rtpg "$SG" | while read -r l; do P "rtpg $l"; done
sg_vpd -p 0x83 -r "$SG" | vpd83_decode | while read -r l; do P "vpd83 $l"; done
P "luns $(sg_luns -r "$SG" | luns_decode | tr '\n' ' ')"
P "inquiry $(sg_inq -r "$SG" | inquiry_decode)"

echo "# removing what is in use, then everything"
op rmdir "$W"
op rmdir "$W/tpgt_1"
op rmmod tcm_remote
lio_clear
op rmmod tcm_remote
pass "parity probe ran"
finish
