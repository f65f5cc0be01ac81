# Helpers for make lab-install, sourced inside the guest (/root/guest.sh)
# by the scripts lab/install.sh sends through the agent.
T=/sys/kernel/config/target
TC_IQN=iqn.2003-01.org.linux-iscsi.lab:tc
TC_INIT=iqn.1994-05.com.redhat:tc-client
LC="liocluster -c /etc/liocluster/cluster.yaml"
export PAGER=cat DEBIAN_FRONTEND=noninteractive SYSTEMD_PAGER=cat
mkdir -p /var/lib/lab

# the tcm_loop disk of LUN 0 (serial lab-inst-0000)
loop_disk() {
	local b
	for b in /sys/block/sd*; do
		[ -e "$b" ] || continue
		if grep -aq lab-inst-0000 "$b/device/vpd_pg80" 2>/dev/null; then
			echo "/dev/${b##*/}"
			return 0
		fi
	done
	return 1
}

# REPORT TARGET PORT GROUPS through the tcm_loop disk, one line per port:
# "group-id state rtpi"
rtpg_summary() {
	local d
	d=$(loop_disk) || { echo "no tcm_loop disk with serial lab-inst-0000"; return 1; }
	sg_rtpg -d "$d" >/var/lib/lab/rtpg.raw 2>&1 || { cat /var/lib/lab/rtpg.raw; return 1; }
	awk '/target port group id/ { g = $6; sub(/,$/, "", g) }
		/asymmetric access state/ { s = $NF; gsub(/[()]/, "", s) }
		/^ +0x[0-9a-fA-F]+ *$/ { print g, s, $1 }' /var/lib/lab/rtpg.raw |
		while read -r g s r; do printf '%d %s %d\n' "$g" "$s" "$r"; done
}

RTPG_WANT="1 active/optimized 1
2 standby 2"
rtpg_ok() {
	local s
	s=$(rtpg_summary)
	echo "$s"
	[ "$s" = "$RTPG_WANT" ] || { cat /var/lib/lab/rtpg.raw; return 1; }
}

# targetcli's own objects as targetcli shows them
tc_ls() {
	targetcli ls /backstores/fileio/tcdisk 2>&1
	targetcli ls /iscsi/$TC_IQN 2>&1
}

# targetcli's objects in configfs: every directory and link, and every
# readable attribute, below its backstore and its target
theirs() {
	local d
	for d in $T/core/fileio_*/tcdisk $T/iscsi/$TC_IQN; do
		[ -e "$d" ] || { echo "missing: $d"; continue; }
		find "$d" | sed 's#/core/fileio_[0-9]*/#/core/fileio_N/#' | sort
		find "$d" -type l | sort | while read -r l; do
			echo "${l#$T} -> $(readlink "$l" | sed 's#fileio_[0-9]*/#fileio_N/#')"
		done
		find "$d" -type f -perm -u=r | sort | while read -r f; do
			case $f in */statistics/* | */info | */dynamic_sessions | */alua/*/members) continue ;; esac
			echo "$(echo "${f#$T}" | sed 's#fileio_[0-9]*/#fileio_N/#') = $(head -c 200 "$f" 2>/dev/null | tr '\n' ' ')"
		done
	done
}

# targetcli's objects in configfs against the first boot's record; on
# another kernel, the paths both kernels have (attributes come and go
# between kernel versions)
theirs_same() {
	local L=/var/lib/lab
	theirs >$L/theirs.now
	if [ "$(uname -r)" = "$(cat $L/theirs.krel)" ]; then
		diff $L/theirs.before $L/theirs.now
		return
	fi
	sed 's/ = .*//; s/ -> .*//' $L/theirs.before | sort -u >$L/k1
	sed 's/ = .*//; s/ -> .*//' $L/theirs.now | sort -u >$L/k2
	comm -12 $L/k1 $L/k2 >$L/kc
	echo "comparing the $(wc -l <$L/kc) paths both kernels have; $(comm -23 $L/k1 $L/k2 | wc -l) only on $(cat $L/theirs.krel), $(comm -13 $L/k1 $L/k2 | wc -l) only here"
	for f in before now; do
		awk 'NR == FNR { k[$0]; next } { x = $0; sub(/ = .*| -> .*/, "", x) } x in k' $L/kc $L/theirs.$f >$L/theirs.$f.common
	done
	diff $L/theirs.before.common $L/theirs.now.common
}

# how long DKMS's make of tcm-remote VERSION for KVER took (guest clock):
# its make.log starts with the date and was last written at the end
# (DKMS moves it to <version>/<kver>/<arch>/log/ after the build)
dkms_make_secs() {
	local f=/var/lib/dkms/tcm-remote/$1/${2:-$(uname -r)}/x86_64/log/make.log start
	[ -f "$f" ] || return 1
	start=$(date -d "$(sed -n 2p "$f")" +%s) || return 1
	echo $(($(stat -c %Y "$f") - start))
}

# how long dpkg's configure of PACKAGE took, from /var/log/dpkg.log (the
# last time it was configured)
dpkg_configure_secs() {
	awk -v p="$1" '$3 == "configure" && index($4, p ":") == 1 { s = $1 " " $2 }
		$3 == "status" && $4 == "installed" && index($5, p ":") == 1 { e = $1 " " $2 }
		END { if (s == "" || e == "") exit 1; print s; print e }' /var/log/dpkg.log |
		{ read -r a && read -r b && echo $(($(date -d "$b" +%s) - $(date -d "$a" +%s))); }
}
