#!/bin/bash
# One cached Debian 12 root with systemd, for labs that need a whole
# booted system (make lab-install, the HA lab): its own kernel and headers
# in /boot and /usr/src, dkms and build tools, targetcli-fb, sg3-utils,
# corosync, pacemaker, crmsh, sbd, fence-agents, resource-agents,
# open-iscsi and multipath-tools (their services disabled: a lab enables
# what it uses on its own overlay), and a small agent that runs the host's scripts over a
# virtio-serial port.
#
#   source lab/systemd-image.sh
#   img=$(systemd_image)        build once, print the raw ext4 image's path
#   si_boot NAME OVERLAY KERNEL INITRD   start qemu on a qcow2 overlay (background)
#   si_connect / si_wait_hello / si_run SCRIPT / si_poweroff   talk to the agent
#
# Several guests at once (the HA lab): set SI_MULTI=1 before the first
# si_connect; each guest then gets an fd of its own (one guest alone uses
# fd 7), and `si_use NAME` picks the guest the other functions talk to.
# SI_EXTRA_ARGS (an array: NICs, a watchdog, shared disks, a monitor),
# SI_APPEND (more kernel options) and SI_ROOT_CACHE (the root overlay's
# cache mode, default unsafe; writeback for a guest that gets killed) are
# read by si_boot at each boot.
#
# The image lives in $LAB_CACHE/systemd/; its stamp names the recipe, so a
# changed package list rebuilds it.  No network inside the guest: it gets
# no NIC, and systemd-networkd-wait-online is masked.
[ -n "${LAB_DIR:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

SI_SUITE=${SI_SUITE:-bookworm}
SI_PACKAGES="systemd,systemd-sysv,udev,dbus,kmod,iproute2,procps,e2fsprogs,initramfs-tools,
linux-image-amd64,linux-headers-amd64,dkms,build-essential,libyaml-0-2,targetcli-fb,
python3-rtslib-fb,sg3-utils,less,
corosync,pacemaker,pacemaker-cli-utils,crmsh,sbd,fence-agents,resource-agents,open-iscsi,multipath-tools"
SI_RECIPE=5
SI_DIR=$LAB_CACHE/systemd
SI_MEM=${SI_MEM:-1280}
declare -gA SI_QEMU_OF=() SI_PORT_OF=() SI_FD_OF=()

si_stamp() { echo "$SI_DIR/.ready-$SI_RECIPE-$(echo "$SI_PACKAGES" | tr -d '\n' | md5sum | cut -c1-8)"; }

# The agent: reads one base64 line (a bash script) at a time from the
# virtio port, runs it, answers with the output in base64 and its status.
# Until the host sends something it says HELLO with the boot's id every
# two seconds, so the host knows a boot has reached it.
si_write_agent() {
	local root=$1
	cat >"$root/usr/local/sbin/lab-agent" <<'AGENT'
#!/bin/bash
port=/dev/virtio-ports/lab.agent
boot=$(cat /proc/sys/kernel/random/boot_id)
while [ ! -e $port ]; do sleep 1; done
exec 3<>$port
hello=1
while true; do
	if [ $hello = 1 ]; then
		echo "HELLO $boot $(cut -d' ' -f1 /proc/uptime)" >&3
	fi
	if read -r -t 2 line <&3; then
		[ -n "$line" ] || continue
		hello=0
		script=$(echo "$line" | base64 -d 2>/dev/null)
		out=$(cd /root && bash -c "$script" 2>&1 </dev/null)
		rc=$?
		printf 'OUT %s\n' "$(printf '%s\n' "$out" | base64 -w0)" >&3
		echo "RC $rc" >&3
	fi
done
AGENT
	chmod 0755 "$root/usr/local/sbin/lab-agent"
	cat >"$root/etc/systemd/system/lab-agent.service" <<'UNIT'
[Unit]
Description=lab agent on the virtio-serial port lab.agent
After=multi-user.target liocluster.service
[Service]
ExecStart=/usr/local/sbin/lab-agent
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
}

# systemd_image: build the image once; print its path
systemd_image() {
	local img=$SI_DIR/root.img root stamp key=/usr/share/keyrings/debian-archive-keyring.gpg
	stamp=$(si_stamp)
	if [ -f "$stamp" ] && [ -f "$img" ]; then
		echo "$img"
		return 0
	fi
	command -v mmdebstrap >/dev/null && command -v qemu-img >/dev/null || {
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			mmdebstrap qemu-utils e2fsprogs >/dev/null || die "cannot install mmdebstrap"
	}
	say "systemd image: mmdebstrap of $SI_SUITE with systemd, kernel, headers, dkms, targetcli (once)"
	rm -rf "$SI_DIR"
	mkdir -p "$SI_DIR"
	root=$SI_DIR/root
	suite_sources "$SI_SUITE" >"$SI_DIR/sources.list"
	mmdebstrap --variant=minbase --include="$(echo "$SI_PACKAGES" | tr -d '\n')" \
		--aptopt='APT::Install-Recommends "false"' \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		"$SI_SUITE" "$root" "$SI_DIR/sources.list" >"$SI_DIR/mmdebstrap.log" 2>&1 || {
		tail -n 20 "$SI_DIR/mmdebstrap.log" >&2
		die "systemd image: mmdebstrap failed"
	}
	echo lab >"$root/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 lab\n' >"$root/etc/hosts"
	echo '/dev/vda / ext4 defaults,errors=remount-ro 0 1' >"$root/etc/fstab"
	: >"$root/etc/machine-id"
	# dpkg without fsync: the disk is a throw-away overlay (cache=unsafe)
	# and unpacking a kernel's modules is much faster under emulation
	echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/lab-unsafe-io"
	# a guest with no NIC must not wait for the network; no getty chatter
	# on the console that carries the boot log
	for u in systemd-networkd-wait-online.service systemd-timesyncd.service \
		apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
		ln -sf /dev/null "$root/etc/systemd/system/$u"
	done
	# the cluster stack and the initiator start only where a lab asks for them
	systemctl --root="$root" disable corosync.service pacemaker.service sbd.service \
		multipathd.service multipathd.socket open-iscsi.service iscsid.service iscsid.socket \
		>/dev/null 2>&1 || true
	# the system's sources stay what debootstrap wrote; nothing in the
	# guest can reach them anyway
	rm -f "$root"/var/cache/apt/archives/*.deb
	mkdir -p "$root/usr/local/sbin" "$root/etc/systemd/system/multi-user.target.wants"
	si_write_agent "$root"
	ln -sf /etc/systemd/system/lab-agent.service "$root/etc/systemd/system/multi-user.target.wants/lab-agent.service"
	rm -f "$img"
	mke2fs -q -t ext4 -L labroot -d "$root" "$img" 4G || die "systemd image: mke2fs failed"
	# keep the tree: the host reads the guest's installed set (dpkg status)
	# from it to fetch packages for the offline guest
	touch "$stamp"
	echo "$img"
}

# si_overlay NAME: a fresh qcow2 overlay on the base image; prints its path
si_overlay() {
	local o=$SI_DIR/$1.qcow2
	rm -f "$o"
	qemu-img create -q -f qcow2 -b "$SI_DIR/root.img" -F raw "$o" >/dev/null
	echo "$o"
}

# si_boot NAME OVERLAY KERNEL INITRD [EXTRA-DISK]: qemu in the background;
# the console goes to $SI_DIR/NAME.console, the agent's port to a TCP
# socket on 127.0.0.1:$SI_PORT.  A guest reboot or poweroff ends qemu
# (-no-reboot): a reboot is a clean shutdown and a cold start by the host
# (si_reboot).  A warm reset here made the next boot 100+ s slower.
si_boot() {
	local name=$1 overlay=$2 kernel=$3 initrd=$4 extra=${5:-} p
	while :; do
		SI_PORT=$((30000 + RANDOM % 20000))
		for p in "${SI_PORT_OF[@]}"; do [ "$p" = "$SI_PORT" ] && continue 2; done
		break
	done
	local args=(-machine q35 -accel tcg,thread=single -cpu max -smp 1 -m "$SI_MEM"
		-nographic -no-reboot -nodefaults -serial "file:$SI_DIR/$name.console" -nic none
		-kernel "$kernel" -initrd "$initrd"
		-append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 net.ifnames=0${SI_APPEND:+ $SI_APPEND}"
		-drive "file=$overlay,if=none,id=root,format=qcow2,cache=${SI_ROOT_CACHE:-unsafe}" -device virtio-blk-pci,drive=root
		-device virtio-serial-pci
		-chardev "socket,id=agent,host=127.0.0.1,port=$SI_PORT,server=on,wait=on"
		-device virtserialport,chardev=agent,name=lab.agent)
	[ -n "$extra" ] && args+=(-drive "file=$extra,if=none,id=xfer,format=raw" -device virtio-blk-pci,drive=xfer,serial=xfer)
	[ -n "${SI_EXTRA_ARGS+set}" ] && args+=("${SI_EXTRA_ARGS[@]}")
	qemu-system-x86_64 "${args[@]}" </dev/null >"$SI_DIR/$name.qemu.log" 2>&1 &
	SI_QEMU=$!
	SI_NAME=$name
	SI_FD=
	SI_QEMU_OF[$name]=$SI_QEMU
	SI_PORT_OF[$name]=$SI_PORT
	SI_FD_OF[$name]=
}

# si_use NAME: talk to guest NAME (booted by si_boot) from now on
si_use() {
	SI_NAME=$1
	SI_QEMU=${SI_QEMU_OF[$1]}
	SI_PORT=${SI_PORT_OF[$1]}
	SI_FD=${SI_FD_OF[$1]:-}
}

# si_connect: open the agent socket on fd 7, or with SI_MULTI on an fd of
# the guest's own (qemu waits for us)
si_connect() {
	local i fd
	for i in $(seq 1 100); do
		if [ -n "${SI_MULTI:-}" ]; then
			{ exec {fd}<>"/dev/tcp/127.0.0.1/$SI_PORT"; } 2>/dev/null &&
				{ SI_FD=$fd; SI_FD_OF[$SI_NAME]=$fd; return 0; }
		else
			{ exec 7<>"/dev/tcp/127.0.0.1/$SI_PORT"; } 2>/dev/null &&
				{ SI_FD=7; SI_FD_OF[${SI_NAME:-}]=7; return 0; }
		fi
		kill -0 "$SI_QEMU" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# si_wait_hello [TIMEOUT] [OLD-BOOT-ID]: wait for the agent of a boot
# other than OLD-BOOT-ID; sets SI_BOOT_ID and SI_UPTIME (the guest's own)
si_wait_hello() {
	local timeout=${1:-600} old=${2:-} end line
	end=$(($(date +%s) + timeout))
	while [ "$(date +%s)" -lt "$end" ]; do
		if read -r -t 5 line <&"${SI_FD:-7}"; then
			set -- $line
			if [ "${1:-}" = HELLO ] && [ "${2:-}" != "$old" ]; then
				SI_BOOT_ID=$2
				SI_UPTIME=${3:-}
				return 0
			fi
		else
			kill -0 "$SI_QEMU" 2>/dev/null || return 1
		fi
	done
	return 1
}

# si_run SCRIPT [TIMEOUT]: run SCRIPT (bash) in the guest; prints its
# output and returns its status (124 on a timeout or a lost guest)
si_run() {
	local script=$1 timeout=${2:-900} end line out= tag= text
	end=$(($(date +%s) + timeout))
	# with several guests a script that timed out may answer later: each
	# answer then starts with its script's tag, and others are dropped
	if [ -n "${SI_MULTI:-}" ]; then
		tag=LABTAG-$RANDOM$RANDOM$RANDOM
		script="echo $tag
$script"
	fi
	printf '%s\n' "$(printf '%s' "$script" | base64 -w0)" >&"${SI_FD:-7}"
	while [ "$(date +%s)" -lt "$end" ]; do
		if read -r -t 5 line <&"${SI_FD:-7}"; then
			case "$line" in
			OUT\ *) out=${line#OUT } ;;
			RC\ *)
				if [ -n "$tag" ]; then
					text=$(printf '%s' "$out" | base64 -d; echo .)
					[ "${text%%$'\n'*}" = "$tag" ] || continue
					text=${text#*$'\n'}
					printf '%s' "${text%.}"
				else
					printf '%s' "$out" | base64 -d
				fi
				return "${line#RC }"
				;;
			esac
		else
			kill -0 "$SI_QEMU" 2>/dev/null || return 124
		fi
	done
	return 124
}

# si_poweroff: shut the guest down and wait for qemu to end
si_poweroff() {
	local i
	printf '%s\n' "$(printf 'systemctl poweroff' | base64 -w0)" >&"${SI_FD:-7}" 2>/dev/null || true
	for i in $(seq 1 300); do
		kill -0 "$SI_QEMU" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$SI_QEMU" 2>/dev/null; then
		kill "$SI_QEMU" 2>/dev/null || true
		wait "$SI_QEMU" 2>/dev/null || true
		si_close
		return 1
	fi
	wait "$SI_QEMU" 2>/dev/null || true
	si_close
}

# si_close: close the agent's fd (its guest has gone)
si_close() {
	local fd=${SI_FD:-7}
	exec {fd}>&- 2>/dev/null || true
	SI_FD=
	[ -n "${SI_NAME:-}" ] && SI_FD_OF[$SI_NAME]=
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	systemd_image
fi
