# Sourced by every lab scenario (busybox sh inside the guest).
#
# Checks print TAP lines ("ok N - ..." / "not ok N - ..."), which the host
# counts.  `run` shows a configuration step the way an admin would type it
# and counts a failing one as a failed check.  The decoders read SCSI
# responses byte by byte as SPC-4 lays them out, so expectations in the
# scenarios are written in the standard's terms, not in a tool's wording.

T=/sys/kernel/config/target
N=0
FAILED=0

pass() { N=$((N + 1)); echo "ok $N - $1"; }
fail() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }

# run CMD...: a configuration step; its failure is a failed check
run() {
	echo "# \$ $*"
	if ! out=$("$@" 2>&1); then
		fail "step failed: $*"
		printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	return 0
}

# put VALUE FILE: echo VALUE > FILE, as a step
put() { run sh -c "echo '$1' > '$2'"; }

# check DESC CMD...: CMD must succeed
check() {
	d=$1
	shift
	if out=$("$@" 2>&1); then
		pass "$d"
	else
		fail "$d"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# expect DESC EXPECTED ACTUAL
expect() {
	if [ "$3" = "$2" ]; then
		pass "$1"
	else
		fail "$1"
		printf '#   expected: %s\n#   got:      %s\n' "$2" "$3"
	fi
}

# expect_op ERRNO DESC OP ARGS...: a configfs operation and its outcome
expect_op() {
	e=$1
	d=$2
	shift 2
	expect "$d -> $e" "$e" "$(cfsop "$@" | head -n1)"
}

# absent DESC PATH: nothing was left behind at PATH
absent() {
	if [ -e "$2" ] || [ -L "$2" ]; then fail "$1"; else pass "$1"; fi
}

finish() {
	echo "# $N checks, $FAILED failed"
	exit 0
}

# --- finding the initiator's view -----------------------------------------

# lio_sg SERIAL: the sg device whose unit serial number (VPD 0x80) is SERIAL,
# waiting for the SCSI scan to find it.
lio_sg() {
	i=0
	while [ $i -lt 100 ]; do
		for d in /sys/class/scsi_generic/sg*; do
			[ -e "$d" ] || continue
			sg=/dev/${d##*/}
			[ "$(sg_vpd -p 0x80 -r "$sg" 2>/dev/null | vpd80_serial)" = "$1" ] &&
				{ echo "$sg"; return 0; }
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# rtpg SG: REPORT TARGET PORT GROUPS decoded, retrying past unit
# attentions (sg3_utils exit status 6) as an initiator would
rtpg() {
	i=0
	while [ $i -lt 5 ]; do
		if sg_rtpg -r "$1" >/tmp/rtpg.bin 2>/dev/null; then
			rtpg_decode </tmp/rtpg.bin
			return 0
		fi
		i=$((i + 1))
	done
	return 1
}

# sg3_utils exit status for a CHECK CONDITION with UNIT ATTENTION
SG_UA=6

# --- SPC-4 decoders: binary response on stdin ------------------------------

bytes() { od -An -v -tu1 | tr -s ' \n' '\n\n' | grep -v '^$'; }

# Standard INQUIRY data (SPC-4 6.6.2): "pdt=N tpgs=N vendor=..."
inquiry_decode() {
	bytes | awk '{ b[NR - 1] = $1 } END {
		v = ""
		for (i = 8; i < 16; i++) v = v sprintf("%c", b[i])
		sub(/ +$/, "", v)
		printf "pdt=%d tpgs=%d vendor=%s\n", b[0] % 32, int(b[5] / 16) % 4, v
	}'
}

# Unit Serial Number VPD page (SPC-4 7.8.16): the serial
vpd80_serial() {
	bytes | awk '{ b[NR - 1] = $1 } END {
		if (b[1] != 128) exit 1
		n = b[2] * 256 + b[3]; s = ""
		for (i = 4; i < 4 + n; i++) if (b[i] != 0) s = s sprintf("%c", b[i])
		sub(/ +$/, "", s); print s
	}'
}

# REPORT TARGET PORT GROUPS, length-only format (SPC-4 6.36): one line per
# target port group, "tpg=ID state=AAS pref=P status=S ports=R1,R2"
rtpg_decode() {
	bytes | awk '{ b[NR - 1] = $1 } END {
		len = b[0] * 16777216 + b[1] * 65536 + b[2] * 256 + b[3]
		o = 4
		while (o < 4 + len) {
			pref = int(b[o] / 128); aas = b[o] % 16
			id = b[o + 2] * 256 + b[o + 3]; st = b[o + 5]; cnt = b[o + 7]
			ports = ""
			for (p = 0; p < cnt; p++) {
				q = o + 8 + p * 4
				ports = ports (p ? "," : "") (b[q + 2] * 256 + b[q + 3])
			}
			printf "tpg=%d state=%d pref=%d status=%d ports=%s\n", id, aas, pref, st, ports
			o += 8 + cnt * 4
		}
	}'
}

# Device Identification VPD page (SPC-4 7.8.6): one line per designator,
# "assoc=A type=T proto=P piv=V value=HEX"
vpd83_decode() {
	bytes | awk '{ b[NR - 1] = $1 } END {
		if (b[1] != 131) exit 1
		end = 4 + b[2] * 256 + b[3]; o = 4
		while (o < end) {
			proto = int(b[o] / 16); piv = int(b[o + 1] / 128)
			assoc = int(b[o + 1] / 16) % 4; type = b[o + 1] % 16; n = b[o + 3]
			v = ""
			for (i = 0; i < n; i++) v = v sprintf("%02x", b[o + 4 + i])
			printf "assoc=%d type=%d proto=%d piv=%d value=%s\n", assoc, type, proto, piv, v
			o += 4 + n
		}
	}'
}

# REPORT LUNS parameter data (SPC-4 6.33): the LUNs, peripheral
# addressing decoded, one per line
luns_decode() {
	bytes | awk '{ b[NR - 1] = $1 } END {
		len = b[0] * 16777216 + b[1] * 65536 + b[2] * 256 + b[3]
		for (o = 8; o < 8 + len; o += 8) print (b[o] % 64) * 256 + b[o + 1]
	}'
}

# --- LIO configuration steps used by several scenarios ----------------------

# rd_dev HBA NAME SERIAL: an enabled rd_mcp backstore with a unit serial
rd_dev() {
	run mkdir -p "$T/core/$1/$2" &&
	put "rd_pages=2048" "$T/core/$1/$2/control" &&
	put "$3" "$T/core/$1/$2/wwn/vpd_unit_serial" &&
	put 1 "$T/core/$1/$2/enable"
}

# alua_group DEVDIR NAME ID STATE: a target port group of a device
alua_group() {
	run mkdir "$1/alua/$2" &&
	put "$3" "$1/alua/$2/tg_pt_gp_id" &&
	put "$4" "$1/alua/$2/alua_access_state"
}

# ALUA asymmetric access states (SPC-4 table 152)
AO=0 ANO=1 SB=2 UA=3 OFFLINE=14 TRANSITIONING=15

# lio_clear: remove every LIO object, fabrics first, then backstores, the
# way `targetcli clearconfig` would.  Scenarios start from a clean target.
lio_clear() {
	# tcm_remote's local_rtpi pins live as long as the module: unpin them
	# first, as an unload would
	if [ -f "$T/remote/local_rtpi" ]; then
		sed 's/ [^ ]*$/ 0/' "$T/remote/local_rtpi" | while read -r l; do
			echo "$l" >"$T/remote/local_rtpi"
		done
	fi
	for f in "$T"/*; do
		[ -d "$f" ] && [ "${f##*/}" != core ] || continue
		find "$f" -path '*/acls/*' -type l -exec rm {} + 2>/dev/null
		find "$f" -type l -exec rm {} + 2>/dev/null
		for d in "$f"/*/tpgt_*/acls/*/lun_* "$f"/*/tpgt_*/acls/* \
			"$f"/*/tpgt_*/lun/lun_* "$f"/*/tpgt_* "$f"/*; do
			[ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
		rmdir "$f" 2>/dev/null
	done
	for g in "$T"/core/*/*/alua/*; do
		[ "${g##*/}" = default_tg_pt_gp ] || rmdir "$g" 2>/dev/null
	done
	for d in "$T"/core/*_[0-9]*/*; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	for h in "$T"/core/*_[0-9]*; do
		[ -d "$h" ] && rmdir "$h" 2>/dev/null
	done
	for g in "$T"/core/alua/lu_gps/*; do
		[ "${g##*/}" = default_lu_gp ] || rmdir "$g" 2>/dev/null
	done
	# liocluster's record of what it made goes with the tree, as at a reboot
	rm -rf /run/liocluster
	return 0
}
