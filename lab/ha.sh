#!/bin/bash
# make lab-ha: Pacemaker drives the cluster (issue 12).  Two target nodes,
# node-a and node-b, and an initiator, all booted with systemd from the one
# Debian 12 image of lab/systemd-image.sh under qemu's software emulation:
#
#   - the nodes: tcm-remote-dkms and liocluster installed from their .debs
#     the way an admin does (offline apt; DKMS builds the module in the
#     guest), corosync (knet, two_node, token 10000) on a link of their own,
#     pacemaker, sbd on a shared disk with qemu's i6300esb watchdog,
#     fence_sbd, stonith enabled; the resource ocf:tcm-remote:liocluster as
#     a promotable clone, configured with crmsh.  One overlay holds the
#     installed packages and the stack's configuration (cached in
#     $LAB_CACHE/ha, keyed by the packages and lab/ha/); both nodes' disks
#     are overlays on it and get their identity at first boot.
#   - one shared data disk (an iblock backstore on each node), exported by
#     each node over iSCSI on its own link to the initiator
#   - the initiator: open-iscsi, multipath (ALUA prio, group_by_prio,
#     queue_if_no_path), and lab/ha/lab-io writing checksummed, numbered
#     blocks all the time; after every scenario each block is read back
#
# Scenarios: cold start, planned switchover, hard crash of the promoted
# node during writes, rejoin, link split between the nodes, explicit STPG.
# Prints "ok"/"not ok" lines, "# figure:" lines (host-measured times), the
# total time and "N passed, N failed"; exits 1 on any failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/systemd-image.sh"
# lab.sh turns on -e; this lab counts failures and carries on instead
set +e
SI_MULTI=1
HA=$LAB_DIR/ha
WORK=$LAB_CACHE/ha
RUN=$WORK/run
PREP_RECIPE=1
T_START=$(date +%s)
PASSED=0
FAILED=0
FIGURES=()
# every script sent to a guest starts with the lab's helpers (lab/ha/guest.sh,
# copied from the transfer disk at boot): the agent reads a script as one
# line with a 2 s timeout, so scripts stay short
GENV='. /root/ha-guest.sh'
BLOCKS=4096

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.1f", b - a }'; }
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
notok() { echo "not ok - $1"; FAILED=$((FAILED + 1)); }
figure() { FIGURES+=("$1"); echo "# figure: $1"; }
note() { echo "# $*"; }
indent() { sed 's/^/#   /'; }

summary() {
	local f q
	# no guest of this lab outlives it
	for q in "${SI_QEMU_OF[@]}"; do kill "$q" 2>/dev/null; done
	echo "# --- figures"
	for f in "${FIGURES[@]}"; do echo "#   $f"; done
	echo "#   total lab time: $(($(date +%s) - T_START)) s"
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && exit 0
	exit 1
}

# --- guests -------------------------------------------------------------------

# CUR[node] is the si_* name of the node's current boot (node-a.1, ...)
declare -A CUR=() NBOOT=() UP_T0=() MONPORT=()

# on GUEST SCRIPT [TIMEOUT]: run SCRIPT in GUEST (node-a, node-b, initiator)
on() {
	si_use "${CUR[$1]}"
	si_run "$GENV
$2" "${3:-120}"
}

# gcheck GUEST DESC SCRIPT [TIMEOUT]: the script's exit 0 passes
gcheck() {
	local out rc=0
	out=$(on "$1" "$3" "${4:-120}") || rc=$?
	if [ $rc -eq 0 ]; then
		ok "$2"
		[ -n "${LAB_VERBOSE:-}" ] && printf '%s\n' "$out" | indent
	else
		notok "$2 (exit $rc)"
		printf '%s\n' "$out" | tail -n 30 | indent
	fi
	return $rc
}

alive() { kill -0 "${SI_QEMU_OF[${CUR[$1]}]}" 2>/dev/null; }

# the qemu arguments of each guest: links (qemu's udp sockets, so either
# end may die and come back), watchdog, shared disks, monitor
P=$((20000 + RANDOM % 9000))
link() { # link ID MAC LOCAL PEER
	echo "-netdev socket,id=$1,udp=127.0.0.1:$4,localaddr=127.0.0.1:$3 -device virtio-net-pci,netdev=$1,mac=$2"
}
guest_args() {
	local g=$1
	case $g in
	node-a)
		SI_EXTRA_ARGS=($(link iscsi 52:54:00:12:0a:01 $((P + 1)) $((P + 2))) \
			$(link ring 52:54:00:12:0c:01 $((P + 5)) $((P + 6))))
		MONPORT[$g]=$((P + 10)) ;;
	node-b)
		SI_EXTRA_ARGS=($(link iscsi 52:54:00:12:0b:02 $((P + 3)) $((P + 4))) \
			$(link ring 52:54:00:12:0c:02 $((P + 6)) $((P + 5))))
		MONPORT[$g]=$((P + 11)) ;;
	initiator)
		SI_EXTRA_ARGS=($(link ia 52:54:00:12:0a:09 $((P + 2)) $((P + 1))) \
			$(link ib 52:54:00:12:0b:09 $((P + 4)) $((P + 3))))
		MONPORT[$g]=$((P + 12)) ;;
	esac
	SI_EXTRA_ARGS+=(-monitor "tcp:127.0.0.1:${MONPORT[$g]},server=on,wait=off"
		-drive "file=$RUN/xfer.img,if=none,id=xfer,format=raw,readonly=on"
		-device virtio-blk-pci,drive=xfer,serial=xfer)
	if [ "$g" != initiator ]; then
		SI_EXTRA_ARGS+=(-device i6300esb -action watchdog=reset
			-drive "file=$RUN/sbd.img,if=none,id=sbd,format=raw,file.locking=off"
			-device virtio-blk-pci,drive=sbd,share-rw=on,serial=sbd
			-drive "file=$RUN/data.img,if=none,id=data,format=raw,file.locking=off"
			-device virtio-blk-pci,drive=data,share-rw=on,serial=lab-data)
	fi
}

# boot GUEST: start its qemu on its overlay (a node's root is written
# back, so that killing its qemu leaves what the guest had flushed); every
# guest gets the run's transfer disk (the helpers, crm.conf), read-only
boot() {
	local g=$1
	NBOOT[$g]=$((${NBOOT[$g]:-0} + 1))
	CUR[$g]=$g.${NBOOT[$g]}
	guest_args "$g"
	if [ "$g" = initiator ]; then
		SI_MEM=1024 SI_ROOT_CACHE=unsafe
	else
		SI_MEM=1280 SI_ROOT_CACHE=writeback
	fi
	UP_T0[$g]=$(now)
	si_boot "${CUR[$g]}" "$RUN/$g.qcow2" "$KERNEL" "$INITRD"
	si_connect || { notok "$g: qemu did not start"; tail -n 5 "$SI_DIR/${CUR[$g]}.qemu.log" | indent; summary; }
}

# wait_up GUEST: until its agent says hello; sets UP_SECS
wait_up() {
	si_use "${CUR[$1]}"
	if ! si_wait_hello 900; then
		notok "$1 came up (boot ${NBOOT[$1]})"
		tail -n 20 "$SI_DIR/${CUR[$1]}.console" | tr -d '\r' | indent
		summary
	fi
	UP_SECS=$(since "${UP_T0[$1]}")
	si_run 'mkdir -p /mnt/xfer && { mountpoint -q /mnt/xfer || mount -o ro /dev/disk/by-id/virtio-xfer /mnt/xfer; } &&
		cp /mnt/xfer/guest.sh /root/ha-guest.sh' 120 >/dev/null ||
		{ notok "$1: the transfer disk mounted"; summary; }
}

# monitor GUEST COMMAND: a qemu monitor command; prints its answer
monitor() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/${MONPORT[$1]}" || return 1
	printf '%s\n' "$2" >&$fd
	while read -r -t 1 line <&$fd; do printf '%s\n' "$line" | tr -d '\r' | grep -av '^QEMU\|^(qemu)'; done
	exec {fd}>&-
}

# kernel logs: each guest's dmesg is saved before the host kills it and
# at the end; with the consoles, all are searched for DMESG_BAD
save_dmesg() {
	on "$1" 'dmesg' 30 >"$RUN/${CUR[$1]}.dmesg" 2>/dev/null || true
}

# --- on the host: packages, helpers, the image ------------------------------

cmd_deps
for p in qemu-utils mmdebstrap e2fsprogs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
mkdir -p "$WORK" "$RUN"
say "ha: building the packages (make deb), liocluster, the initiator's helpers"
if "$TOP/debian/make-deb.sh" "$TOP/build/deb" >/dev/null 2>"$RUN/make-deb.log"; then
	ok "make deb: tcm-remote-dkms_2.0_all.deb and liocluster_2.0_amd64.deb"
else
	tail -n 20 "$RUN/make-deb.log" | indent
	notok "make deb"
	summary
fi
make -s -C "$TOP" tool >/dev/null || { notok "make tool"; summary; }
if out=$("$TOP/build/liocluster" -c "$HA/cluster.yaml" check 2>&1); then
	ok "the lab's description: liocluster check"
	printf '%s\n' "$out" | indent
else
	notok "the lab's description: liocluster check"
	printf '%s\n' "$out" | indent
fi
for h in lab-io lab-rtpg; do
	gcc -O2 -Wall -Wextra -Werror -static -o "$RUN/$h" "$HA/$h.c" || { notok "build $h"; summary; }
done

IMG=$(systemd_image) || { notok "the systemd image"; summary; }
ROOT=$SI_DIR/root
KREL=$(basename "$(ls "$ROOT"/boot/vmlinuz-* | head -n1)" | sed 's/^vmlinuz-//')
KERNEL=$ROOT/boot/vmlinuz-$KREL
INITRD=$ROOT/boot/initrd.img-$KREL
DEBS=("$TOP/build/deb/tcm-remote-dkms_2.0_all.deb" "$TOP/build/deb/liocluster_2.0_amd64.deb")

# The nodes' common overlay, keyed by what is in it: the packages' files
# and control data, the lab's configuration, this recipe, the base image
KEY=$( {
	# (the packages' documentation aside: it changes nothing the lab runs)
	for d in "${DEBS[@]}"; do
		dpkg-deb --fsys-tarfile "$d" | tar -xO --exclude='./usr/share/doc/*' -f - | md5sum
		dpkg-deb -I "$d" control
	done
	cat "$HA"/cluster.yaml "$HA"/corosync.conf "$HA"/sbd "$HA"/network/*.network "$HA"/wait-online.conf
	echo "$PREP_RECIPE $(basename "$(si_stamp)")"
} | md5sum | cut -c1-12)
BASE=$WORK/nodes-$KEY.qcow2

# --- the nodes' overlay: packages installed, the stack configured ----------

prepare_nodes() {
	local stage=$RUN/prep-xfer t0 out rc=0
	say "ha: preparing the nodes' overlay $BASE (apt install of both packages, DKMS build; once)"
	rm -f "$WORK"/nodes-*.qcow2 "$WORK"/nodes-*.ready
	rm -rf "$stage" && mkdir -p "$stage/network"
	cp "${DEBS[@]}" "$HA"/cluster.yaml "$HA"/sbd "$HA"/corosync.conf "$HA"/wait-online.conf "$stage/"
	cp "$HA"/network/*.network "$stage/network/"
	rm -f "$RUN/prep-xfer.img"
	mke2fs -q -t ext4 -L xfer -d "$stage" "$RUN/prep-xfer.img" 64M >/dev/null || return 1
	qemu-img create -q -f qcow2 -b "$SI_DIR/root.img" -F raw "$BASE.tmp" || return 1
	CUR[prep]=prep.1
	SI_EXTRA_ARGS=() SI_MEM=1280 SI_ROOT_CACHE=unsafe
	t0=$(now)
	si_boot prep.1 "$BASE.tmp" "$KERNEL" "$INITRD" "$RUN/prep-xfer.img"
	si_connect && si_wait_hello 900 || { notok "the preparing guest came up"; return 1; }
	figure "preparing guest: boot to agent $(since "$t0") s"
	t0=$(now)
	out=$(si_run '
		set -e
		mkdir -p /mnt/xfer && mount /dev/disk/by-id/virtio-xfer /mnt/xfer && cd /mnt/xfer
		echo "# apt-get install -y ./tcm-remote-dkms_2.0_all.deb ./liocluster_2.0_amd64.deb"
		apt-get install -y ./tcm-remote-dkms_2.0_all.deb ./liocluster_2.0_amd64.deb </dev/null \
			>/var/log/lab-apt.log 2>&1 || { tail -n 30 /var/log/lab-apt.log; exit 1; }
		dkms status tcm-remote
		# the description (the node-name comes at first boot); the cluster
		# owns the node LIO: the resource agent applies it when Pacemaker
		# starts the resource, not liocluster.service at boot
		install -m 0644 cluster.yaml /etc/liocluster/cluster.yaml
		systemctl disable liocluster
		mkdir -p /etc/systemd/system/systemd-networkd-wait-online.service.d
		# the network: one .network file per NIC, matched by MAC address
		cp network/*.network /etc/systemd/network/
		rm -f /etc/systemd/system/systemd-networkd-wait-online.service
		cp wait-online.conf /etc/systemd/system/systemd-networkd-wait-online.service.d/lab-ha.conf
		systemctl enable systemd-networkd systemd-networkd-wait-online
		printf "198.51.100.1 node-a\n198.51.100.2 node-b\n" >>/etc/hosts
		# the cluster stack: corosync, sbd on the shared disk, the watchdog
		install -m 0644 corosync.conf /etc/corosync/corosync.conf
		install -m 0644 sbd /etc/default/sbd
		echo i6300esb >/etc/modules-load.d/lab-watchdog.conf
		ls -l /usr/lib/ocf/resource.d/tcm-remote/liocluster
		cd / && umount /mnt/xfer' 1800) || rc=$?
	printf '%s\n' "$out" | indent
	[ $rc -eq 0 ] || { notok "the nodes' overlay: install and configuration (exit $rc)"; return 1; }
	figure "preparing guest: offline apt install of both packages incl. the DKMS build, and the stack's configuration: $(since "$t0") s"
	si_use prep.1
	si_poweroff || { notok "the preparing guest powered off"; return 1; }
	mv "$BASE.tmp" "$BASE" && touch "$BASE.ready"
}

if [ ! -f "$BASE.ready" ]; then
	if prepare_nodes; then
		ok "the nodes' overlay: both packages installed offline (DKMS built tcm_remote), stack configured"
	else
		summary
	fi
else
	note "the nodes' overlay is cached: $BASE"
fi
[ -n "${LAB_HA_PREPARE_ONLY:-}" ] && summary

# --- the run: fresh overlays, disks, the initiator's transfer disk ----------

for g in node-a node-b; do
	qemu-img create -q -f qcow2 -b "$BASE" -F qcow2 "$RUN/$g.qcow2"
done
qemu-img create -q -f qcow2 -b "$SI_DIR/root.img" -F raw "$RUN/initiator.qcow2"
rm -f "$RUN/sbd.img" "$RUN/data.img"
truncate -s 16M "$RUN/sbd.img"
truncate -s 64M "$RUN/data.img"
rm -rf "$RUN/xfer" && mkdir -p "$RUN/xfer"
cp "$RUN/lab-io" "$RUN/lab-rtpg" "$HA/multipath.conf" "$HA/guest.sh" "$HA/crm.conf" "$RUN/xfer/"
rm -f "$RUN/xfer.img"
mke2fs -q -t ext4 -L xfer -d "$RUN/xfer" "$RUN/xfer.img" 32M >/dev/null
rm -f "$RUN"/*.dmesg

# wait for the machine to be ours: the corosync and sbd timeouts assume the
# guests get their CPU
i=0
while pgrep -f qemu-system-x86_64 >/dev/null && [ $i -lt $((${LAB_HA_WAIT_MIN:-25} * 2)) ]; do
	[ $i -eq 0 ] && say "ha: waiting for other qemu guests to end (every 30 s, at most ${LAB_HA_WAIT_MIN:-25} min)"
	sleep 30
	i=$((i + 1))
done
pgrep -fa qemu-system-x86_64 >/dev/null && note "other qemu guests still run: figures are upper bounds"

# === cold start ================================================================
echo "# === cold start: both nodes join, one is promoted"
T_COLD=$(now)
boot node-a
boot node-b
wait_up node-a
figure "node-a: start of qemu to the agent (first boot) $UP_SECS s"
wait_up node-b
figure "node-b: start of qemu to the agent (first boot) $UP_SECS s"
for g in node-a node-b; do
	gcheck "$g" "$g: identity set at first boot (hostname, node-name), both links up, tcm_remote from DKMS, liocluster.service left to the cluster" "
		hostnamectl set-hostname $g && echo $g >/etc/liocluster/node-name &&
		ip -br addr | grep -E 'eth[01]' && modinfo -n tcm_remote | grep updates/dkms &&
		liocluster check && ! systemctl is-enabled liocluster" 300
done
gcheck node-a "sbd: the shared disk initialised from node-a (watchdog 30 s, msgwait 60 s)" \
	'sbd -d $SBD -1 30 -4 60 create >/dev/null && sbd -d $SBD dump | grep -E "Timeout \((watchdog|msgwait)\)"'
T_PCMK=$(now)
for g in node-a node-b; do
	on "$g" 'systemctl enable sbd corosync pacemaker >/dev/null 2>&1; systemctl start --no-block pacemaker' 60 >/dev/null
done
# the initiator boots while the cluster forms
boot initiator
formed=
end=$(($(date +%s) + 400))
while [ "$(date +%s)" -lt $end ]; do
	st=$(on node-a 'cl_poll' 30) || st=
	case $st in "online=node-a,node-b "*) formed=$(now); break ;; esac
	sleep 2
done
if [ -n "$formed" ]; then
	ok "corosync + pacemaker: both nodes online"
	figure "systemctl start pacemaker to both nodes online: $(since "$T_PCMK" "$formed") s"
else
	notok "corosync + pacemaker: both nodes online within 400 s (last: $st)"
	on node-a 'crm_mon -1; journalctl -u corosync -u pacemaker -u sbd --no-pager | tail -n 30' 60 | indent
fi
T_CRM=$(now)
gcheck node-a "crm configure load update: fence_sbd, the promotable clone lio-clone of ocf:tcm-remote:liocluster" "
	crm configure load update /mnt/xfer/crm.conf && crm configure show | grep -E '^(primitive|clone|property)'" 180
promoted=
end=$(($(date +%s) + 300))
while [ "$(date +%s)" -lt $end ]; do
	st=$(on node-a 'cl_poll' 30) || st=
	case $st in *" promoted=node-"?" unpromoted=node-"?" "*) promoted=$(now); break ;; esac
	sleep 2
done
PROM=$(echo "$st" | sed -n 's/.* promoted=\([^ ]*\) .*/\1/p')
UNPROM=$(echo "$st" | sed -n 's/.* unpromoted=\([^ ]*\) .*/\1/p')
if [ -n "$promoted" ]; then
	ok "cold start: one instance promoted ($PROM), the other started unpromoted ($UNPROM)"
	figure "crm configure to one promoted and one unpromoted instance: $(since "$T_CRM" "$promoted") s"
	figure "cold start, first qemu start to a promoted instance: $(since "$T_COLD" "$promoted") s"
else
	notok "cold start: a promoted and an unpromoted instance within 300 s (last: $st)"
	on node-a 'crm_mon -1 -r; journalctl -t liocluster -t pacemaker-controld --no-pager | tail -n 40' 60 | indent
	summary
fi
gcheck node-a "stonith: fence-sbd started, stonith-enabled" \
	'crm_mon -1 | grep -E "fence-sbd.*Started" && [ "$(crm_attribute -t crm_config -n stonith-enabled -G -q)" = true ]'

# --- the initiator ---------------------------------------------------------------
wait_up initiator
figure "initiator: start of qemu to the agent $UP_SECS s"
gcheck initiator "initiator: open-iscsi logged in to both nodes' portals, multipathd running" '
	ip link set eth0 up && ip addr add 192.0.2.2/30 dev eth0
	ip link set eth1 up && ip addr add 192.0.2.6/30 dev eth1
	install -m 0755 /mnt/xfer/lab-io /mnt/xfer/lab-rtpg /usr/local/bin/
	cp /mnt/xfer/multipath.conf /etc/multipath.conf
	echo InitiatorName=iqn.2026-12.com.example:ha.initiator >/etc/iscsi/initiatorname.iscsi
	# a dead path fails its I/O after 10 s, so that multipath moves on
	sed -i "s/^node.session.timeo.replacement_timeout = .*/node.session.timeo.replacement_timeout = 10/;
		s/^node.conn\[0\].timeo.noop_out_interval = .*/node.conn[0].timeo.noop_out_interval = 2/" /etc/iscsi/iscsid.conf
	for m in iscsi_tcp dm_multipath dm_service_time scsi_dh_alua sg; do modprobe $m; done
	systemctl start iscsid multipathd
	for p in 192.0.2.1 192.0.2.5; do
		i=0; until iscsiadm -m discovery -t sendtargets -p $p; do i=$((i + 1)); [ $i -gt 30 ] && exit 1; sleep 2; done
	done
	iscsiadm -m node --loginall=all
	udevadm settle
	i=0; while { [ -z "$(disk_of $IQN_A)" ] || [ -z "$(disk_of $IQN_B)" ]; } && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
	echo "node-a: $(disk_of $IQN_A), node-b: $(disk_of $IQN_B)"
	i=0; until [ "$(multipath -ll 2>/dev/null | grep -c policy=)" -ge 2 ] || [ $i -gt 60 ]; do sleep 0.5; i=$((i + 1)); done
	multipath -ll' 300

# rtpg_both: "A-answer|B-answer" (lab-rtpg through each node's path)
rtpg_both() {
	on initiator 'echo "$(lab-rtpg /dev/$(disk_of $IQN_A))|$(lab-rtpg /dev/$(disk_of $IQN_B))"' 60
}
grp() { [ "$1" = node-a ] && echo 1 || echo 2; }
# the RTPG both paths must show: PROMOTED ao, OTHER in STATE
rtpg_check() {
	local tag=$1 p=$2 o=$3 ostate=$4 r want
	if [ "$(grp "$p")" = 1 ]; then want="1=ao 2=$ostate ports 1:1 2:2"; else want="1=$ostate 2=ao ports 1:1 2:2"; fi
	r=$(rtpg_both)
	if [ "${r%%|*}" = "$want" ] && [ "${r#*|}" = "$want" ]; then
		ok "$tag: RTPG identical through both paths: $p's group active/optimized, $o's $ostate ($want)"
	else
		notok "$tag: RTPG through both paths: want '$want' twice"
		echo "#   via node-a: ${r%%|*}"
		echo "#   via node-b: ${r#*|}"
	fi
}
rtpg_check "cold start" "$PROM" "$UNPROM" sb
iqn_of() { [ "$1" = node-a ] && echo '$IQN_A' || echo '$IQN_B'; }
# mp_check TAG NODE WANT: multipath's view of NODE's path
mp_check() {
	local got
	got=$(on initiator "mp_path \$(disk_of $(iqn_of "$2"))" 30)
	case $got in
	$3) ok "$1: multipath: $2's path: $got" ;;
	*) notok "$1: multipath: $2's path: want '$3', got '$got'"
	   on initiator 'multipath -ll' 30 | indent ;;
	esac
}
mp_check "cold start" "$PROM" "prio=50 status=active path=active ready running"
mp_check "cold start" "$UNPROM" "prio=1 status=enabled path=active ghost running"

# --- the writer ---------------------------------------------------------------
SEQ=0
writer_start() {
	on initiator "setsid lab-io write \$MAP $BLOCKS $SEQ /run/lab-io.state </dev/null >>/run/lab-io.log 2>&1 &
		echo \$! >/run/lab-io.pid" 30 >/dev/null
}
# "next errors longest-ms"
writer_state() { on initiator 'cat /run/lab-io.state' 30; }
# writer_check TAG: stop the writer, read every block back
writer_check() {
	local tag=$1 st out rc=0
	st=$(on initiator 'kill -TERM $(cat /run/lab-io.pid); while kill -0 $(cat /run/lab-io.pid) 2>/dev/null; do sleep 0.2; done; cat /run/lab-io.state' 120)
	read -r SEQ errs longest <<<"$st"
	SEQ=${SEQ:-$SEQ0}
	figure "$tag: the writer's longest write ${longest:-?} ms; $((SEQ - SEQ0)) blocks written in the scenario, $SEQ in all"
	if [ "${errs:-1}" = 0 ]; then ok "$tag: no write failed"; else
		notok "$tag: $errs writes failed"
		on initiator 'grep failed /run/lab-io.log | tail -n 5' 30 | indent
	fi
	out=$(on initiator "lab-io verify \$MAP $BLOCKS $SEQ" 300) || rc=$?
	if [ $rc -eq 0 ]; then ok "$tag: every block reads back intact: $out"; else
		notok "$tag: read-back"
		printf '%s\n' "$out" | indent
	fi
	SEQ0=$SEQ
}
SEQ0=0
writer_start
sleep 1
wa=$(on initiator "sectors \$(disk_of $(iqn_of "$PROM"))" 30)
wb=$(on initiator "sectors \$(disk_of $(iqn_of "$UNPROM"))" 30)
sleep 5
wa2=$(on initiator "sectors \$(disk_of $(iqn_of "$PROM"))" 30)
wb2=$(on initiator "sectors \$(disk_of $(iqn_of "$UNPROM"))" 30)
if [ "$((wa2 - wa))" -gt 0 ] && [ "$((wb2 - wb))" -eq 0 ]; then
	ok "cold start: the writes go through $PROM's path only ($(((wa2 - wa) / 2)) KiB in 5 s, none through $UNPROM's)"
else
	notok "cold start: writes through $PROM's path ($((wa2 - wa)) sectors) and none through $UNPROM's ($((wb2 - wb)))"
fi
writer_check "cold start"
writer_start

# === planned switchover ========================================================
echo "# === planned switchover: crm_resource --ban --promoted from $PROM, then crm resource clear"
OLD=$PROM NEW=$UNPROM
wn=$(on initiator "sectors \$(disk_of $(iqn_of "$NEW"))" 30)
T0=$(now)
on "$OLD" "crm_resource --ban --promoted --resource lio-clone --node $OLD" 60 | indent
t_prom= t_io=
end=$(($(date +%s) + 240))
while [ "$(date +%s)" -lt $end ] && { [ -z "$t_prom" ] || [ -z "$t_io" ]; }; do
	if [ -z "$t_prom" ]; then
		st=$(on "$NEW" 'cl_poll' 30) || st=
		case $st in *" promoted=$NEW unpromoted=$OLD "*) t_prom=$(now) ;; esac
	fi
	if [ -z "$t_io" ]; then
		w=$(on initiator "sectors \$(disk_of $(iqn_of "$NEW"))" 30) || w=$wn
		[ "${w:-0}" -gt "$wn" ] && t_io=$(now)
	fi
	sleep 0.5
done
if [ -n "$t_prom" ]; then
	ok "switchover: $NEW promoted, $OLD unpromoted"
	figure "switchover: ban to $NEW promoted (crm_mon): $(since "$T0" "$t_prom") s"
else
	notok "switchover: $NEW promoted within 240 s (last: $st)"
fi
if [ -n "$t_io" ]; then
	ok "switchover: the writes moved to $NEW's path"
	figure "switchover: ban to the first writes through $NEW's path: $(since "$T0" "$t_io") s"
else
	notok "switchover: writes through $NEW's path within 240 s"
fi
on "$NEW" 'crm resource clear lio-clone' 60 | indent
sleep 15
st=$(on "$NEW" 'cl_poll' 30)
case $st in
*" promoted=$NEW unpromoted=$OLD "*) ok "switchover: after crm resource clear the promotion stays on $NEW" ;;
*) notok "switchover: after clear: $st" ;;
esac
rtpg_check "switchover" "$NEW" "$OLD" sb
mp_check "switchover" "$NEW" "prio=50 status=active path=active ready running"
writer_check "switchover"
PROM=$NEW UNPROM=$OLD
writer_start

# === hard crash of the promoted node ==========================================
echo "# === hard crash: kill -9 of $PROM's qemu during writes; $UNPROM fences it through sbd"
V=$PROM S=$UNPROM
save_dmesg "$V"
sleep 2
c0=$(writer_state | cut -d' ' -f1)
T0=$(now)
kill -9 "${SI_QEMU_OF[${CUR[$V]}]}"
wait "${SI_QEMU_OF[${CUR[$V]}]}" 2>/dev/null
si_use "${CUR[$V]}"
si_close
fk=fenced_${V#node-}
f0=$(on "$S" 'cl_poll' 30 | sed -n "s/.* $fk=\([^ ]*\).*/\1/p")
t_fence= t_prom= t_io= stalled= last=$c0 fenced_then_promoted=yes
end=$(($(date +%s) + 420))
while [ "$(date +%s)" -lt $end ] && { [ -z "$t_fence" ] || [ -z "$t_prom" ] || [ -z "$t_io" ]; }; do
	st=$(on "$S" 'cl_poll' 30) || st=
	fc=$(echo "$st" | sed -n "s/.* $fk=\([^ ]*\).*/\1/p")
	[ -z "$t_fence" ] && [ -n "$fc" ] && [ "$fc" != "$f0" ] && t_fence=$(now)
	if [ -z "$t_prom" ]; then
		case $st in *" promoted=$S "*) t_prom=$(now); [ -n "$t_fence" ] || fenced_then_promoted=no ;; esac
	fi
	if [ -z "$t_io" ]; then
		c=$(writer_state | cut -d' ' -f1) || c=$last
		c=${c:-$last}
		if [ -z "$stalled" ]; then
			[ "$c" = "$last" ] && stalled=$c
		elif [ "$c" -gt "$stalled" ]; then
			t_io=$(now)
		fi
		last=$c
	fi
	sleep 0.5
done
if [ -n "$t_fence" ]; then ok "crash: $S fenced $V through sbd (fence_sbd)"
	figure "crash: fault to $V fenced: $(since "$T0" "$t_fence") s"
else notok "crash: $V fenced within 420 s (last: $st)"; fi
if [ -n "$t_prom" ]; then ok "crash: $S promoted"
	figure "crash: fault to $S promoted: $(since "$T0" "$t_prom") s"
else notok "crash: $S promoted within 420 s"; fi
if [ "$fenced_then_promoted" = yes ]; then ok "crash: $S was promoted only after the fencing had succeeded"
else notok "crash: $S was promoted before $V's fencing was reported done"; fi
if [ -n "$t_io" ]; then ok "crash: the writes resumed"
	figure "crash: fault to I/O resumed: $(since "$T0" "$t_io") s"
else notok "crash: the writes resumed within 420 s"; fi
r=$(on initiator "lab-rtpg /dev/\$(disk_of $(iqn_of "$S"))" 60)
if [ "$(grp "$S")" = 1 ]; then want="1=ao 2=un ports 1:1 2:2"; else want="1=un 2=ao ports 1:1 2:2"; fi
if [ "$r" = "$want" ]; then ok "crash: RTPG via $S: $S's group active/optimized, $V's unavailable ($r)"
else notok "crash: RTPG via $S: want '$want', got '$r'"; fi
mp_check "crash" "$S" "prio=50 status=active path=active ready running"
writer_check "crash"
PROM=$S
writer_start

# === rejoin =====================================================================
echo "# === rejoin: $V boots again, rejoins unpromoted, its path returns as standby"
T0=$(now)
boot "$V"
wait_up "$V"
figure "rejoin: $V's qemu start to its agent $UP_SECS s"
t_join= t_path=
end=$(($(date +%s) + 420))
while [ "$(date +%s)" -lt $end ] && { [ -z "$t_join" ] || [ -z "$t_path" ]; }; do
	if [ -z "$t_join" ]; then
		st=$(on "$S" 'cl_poll' 30) || st=
		case $st in *" promoted=$S unpromoted=$V "*) t_join=$(now) ;; esac
	fi
	if [ -z "$t_path" ]; then
		p=$(on initiator "mp_path \$(disk_of $(iqn_of "$V"))" 30) || p=
		case $p in *"path=active ghost running"*) t_path=$(now) ;; esac
	fi
	sleep 1
done
if [ -n "$t_join" ]; then ok "rejoin: $V joined and runs unpromoted, $S stays promoted"
	figure "rejoin: $V's qemu start to its instance unpromoted: $(since "$T0" "$t_join") s"
else notok "rejoin: $V unpromoted within 420 s (last: $st)"; fi
if [ -n "$t_path" ]; then ok "rejoin: $V's path is back, as a standby (ghost) path"
	figure "rejoin: $V's qemu start to its path back in multipath: $(since "$T0" "$t_path") s"
else notok "rejoin: $V's path back within 420 s (last: $p)"; fi
sleep 5
rtpg_check "rejoin" "$S" "$V" sb
mp_check "rejoin" "$S" "prio=50 status=active path=active ready running"
writer_check "rejoin"
writer_start

# === explicit STPG (issue 12 item 2) ============================================
notok "explicit ALUA: an initiator's STPG through the standby path moving the promotion cluster-wide -- not implemented (the agent and the lab's description use implicit ALUA only)"

# === link split =================================================================
echo "# === link split: the corosync link cut on both nodes (set_link ring off); fencing decides"
on initiator 'rm -f /run/rtpg-a.log /run/rtpg-b.log
	setsid lab-rtpg /dev/$(disk_of $IQN_A) 200 /run/rtpg-a.log </dev/null >/dev/null 2>&1 & echo $! >/run/rtpg-a.pid
	setsid lab-rtpg /dev/$(disk_of $IQN_B) 200 /run/rtpg-b.log </dev/null >/dev/null 2>&1 & echo $! >/run/rtpg-b.pid' 30 >/dev/null
sleep 3
for g in node-a node-b; do save_dmesg "$g"; done
st=$(on "$PROM" 'cl_poll' 30)
declare -A F0=([node-a]=$(echo "$st" | sed -n 's/.* fenced_a=\([^ ]*\).*/\1/p') [node-b]=$(echo "$st" | sed -n 's/.* fenced_b=\([^ ]*\).*/\1/p'))
T0=$(now)
monitor node-a 'set_link ring off' >/dev/null
monitor node-b 'set_link ring off' >/dev/null
t_gone= gone= t_fence= survivor=
end=$(($(date +%s) + 360))
while [ "$(date +%s)" -lt $end ] && { [ -z "$t_gone" ] || [ -z "$t_fence" ]; }; do
	for g in node-a node-b; do
		if [ -z "$t_gone" ] && ! alive "$g"; then t_gone=$(now) gone=$g; fi
	done
	if [ -n "$gone" ] && [ -z "$t_fence" ]; then
		survivor=node-a; [ "$gone" = node-a ] && survivor=node-b
		st=$(on "$survivor" 'cl_poll' 30) || st=
		fc=$(echo "$st" | sed -n "s/.* fenced_${gone#node-}=\([^ ]*\).*/\1/p")
		[ -n "$fc" ] && [ "$fc" != "${F0[$gone]}" ] && t_fence=$(now)
	fi
	sleep 1
done
if [ -n "$gone" ] && alive "$survivor"; then
	ok "link split: one node was fenced ($gone: its qemu ended with the sbd reset), $survivor runs on"
	figure "link split: cut to $gone reset (qemu gone): $(since "$T0" "$t_gone") s"
	[ -n "$t_fence" ] && figure "link split: cut to the fencing reported done on $survivor: $(since "$T0" "$t_fence") s"
	[ -n "$t_fence" ] && ok "link split: $survivor's fencing of $gone succeeded" ||
		notok "link split: $survivor reported the fencing of $gone within 360 s"
	si_use "${CUR[$gone]}"
	si_close
else
	notok "link split: exactly one node fenced within 360 s (node-a $(alive node-a && echo alive || echo gone), node-b $(alive node-b && echo alive || echo gone))"
fi
[ "$gone" = "$PROM" ] && note "the promoted node lost the fencing race" ||
	note "the unpromoted node was fenced: the promoted one kept its role (priority-fencing-delay)"
if [ -n "$survivor" ]; then
	t_prom=
	end=$(($(date +%s) + 240))
	while [ "$(date +%s)" -lt $end ]; do
		st=$(on "$survivor" 'cl_poll' 30) || st=
		case $st in *" promoted=$survivor "*) t_prom=$(now); break ;; esac
		sleep 1
	done
	if [ -z "$t_prom" ]; then
		notok "link split: $survivor promoted (last: $st)"
	elif [ "$survivor" = "$PROM" ]; then
		ok "link split: $survivor, promoted before the cut, is promoted after it"
	else
		ok "link split: $survivor is promoted"
		figure "link split: cut to $survivor promoted: $(since "$T0" "$t_prom") s"
	fi
fi
sleep 5
on initiator 'kill $(cat /run/rtpg-a.pid) $(cat /run/rtpg-b.pid); sleep 1; sed "s/^/a /" /run/rtpg-a.log; sed "s/^/b /" /run/rtpg-b.log' 60 >"$RUN/rtpg.samples"
# never two groups active/optimized: not in one answer, and not in the two
# paths' answers at the same time (each path's last answer within 1 s)
verdict=$(sort -k2,2n "$RUN/rtpg.samples" | awk '
	$1 == "a" || $1 == "b" {
		n[$1]++
		if ($3 == "error") { err[$1]++; last[$1] = ""; next }
		ao = ""
		for (i = 3; i <= NF && $i != "ports"; i++) if ($i ~ /=ao$/) ao = ao " " substr($i, 1, index($i, "=") - 1)
		if (split(ao, x, " ") > 1) { both++; if (!ex) ex = $0 }
		last[$1] = ao; when[$1] = $2
		o = ($1 == "a") ? "b" : "a"
		if (ao != "" && last[o] != "" && last[o] != ao && $2 - when[o] <= 1000) { cross++; if (!ex) ex = $0 }
	}
	END { printf "samples a=%d b=%d errors a=%d b=%d both_ao_in_one=%d two_paths_disagree_on_ao=%d %s\n",
		n["a"], n["b"], err["a"], err["b"], both, cross, ex }')
figure "link split: RTPG sampled every 200 ms through each path: $verdict"
case $verdict in
*" both_ao_in_one=0 two_paths_disagree_on_ao=0"*) ok "link split: RTPG never showed two groups active/optimized" ;;
*) notok "link split: two groups active/optimized seen: $verdict" ;;
esac
case $verdict in "samples a=0 "* | *" b=0 errors"*) notok "link split: the RTPG sampler ran on both paths" ;; esac
writer_check "link split"

# === the kernel logs; power off =================================================
echo "# === kernel logs, power off"
for g in initiator node-a node-b; do
	alive "$g" && save_dmesg "$g"
done
bad=$(cd "$RUN" && grep -HE "$DMESG_BAD" ./*.dmesg 2>/dev/null; cd "$SI_DIR" && for g in node-a node-b initiator; do
	grep -aHE "$DMESG_BAD" ./"$g".*.console 2>/dev/null; done)
if [ -z "$bad" ]; then
	ok "no guest's kernel log shows a warning, BUG or oops ($(ls "$RUN"/*.dmesg | wc -l) dmesg captures, every console)"
else
	notok "a guest's kernel log shows a warning, BUG or oops"
	printf '%s\n' "$bad" | head -n 20 | indent
fi
for g in initiator node-a node-b; do
	if alive "$g"; then
		si_use "${CUR[$g]}"
		printf '%s\n' "$(printf 'systemctl poweroff' | base64 -w0)" >&"$SI_FD" 2>/dev/null || true
	fi
done
for g in initiator node-a node-b; do
	q=${SI_QEMU_OF[${CUR[$g]}]}
	for i in $(seq 1 120); do kill -0 "$q" 2>/dev/null || break; sleep 1; done
	kill -0 "$q" 2>/dev/null && { note "$g did not power off within 120 s: killed"; kill "$q"; }
	wait "$q" 2>/dev/null
done
summary
