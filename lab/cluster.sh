#!/bin/bash
# make lab-cluster: two target nodes and an initiator, three qemu guests on
# links of their own (qemu socket networking on 127.0.0.1), booted from a
# Debian root file system built with debootstrap.
#
#   lab/cluster.sh [full|own-only|admins]...   (default: own-only, full, admins)
#
# own-only: each node configures only its own port (no remote fabric), as
#   users do today; the initiator records what each path reports.
# full: liocluster applies lab/cluster/cluster.yaml on both nodes; the
#   initiator checks one consistent ALUA picture, multipath path groups,
#   I/O on node-a's path, a failover with set-state, and the data after it.
# admins: one guest, targetcli beside liocluster (lab/cluster/admins.sh).
#
# Node-a and node-b share one disk image (virtio, share-rw), used through
# an iblock backstore on each.  Prints the checks, multipath -ll before and
# after the failover, the failover time, and "N passed, N failed".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"
SUITE=${SUITE:-bookworm}
CL=$LAB_DIR/cluster
ROOT_PACKAGES=dbus,open-iscsi,multipath-tools,sg3-utils,udev,kmod,iproute2,socat,procps,targetcli-fb,python3-rtslib-fb
ROOT_MODULES="configfs target_core_mod target_core_iblock target_core_file tcm_loop iscsi_target_mod iscsi_tcp
	dm_multipath dm_round_robin dm_service_time scsi_dh_alua sd_mod sg virtio_net crc32c_generic"
BOOT_MODULES="virtio_pci virtio_blk crc32c_generic ext4"

# cluster_rootfs SUITE: a debootstrap of SUITE with the initiator's and the
# targets' user space, made once and kept in the cache
cluster_rootfs() {
	local suite=$1 dir=$LAB_CACHE/rootfs/$1
	if [ ! -f "$dir/.ready-$ROOT_PACKAGES" ]; then
		say "$suite: debootstrap of the cluster guests' root file system (once)"
		rm -rf "$dir"
		debootstrap --variant=minbase --include="$ROOT_PACKAGES" "$suite" "$dir" \
			"$(debian_mirror)" >"$LAB_CACHE/debootstrap-rootfs-$suite.log" 2>&1 || {
			tail -n 20 "$LAB_CACHE/debootstrap-rootfs-$suite.log" >&2
			die "$suite: debootstrap of the root file system failed"
		}
		touch "$dir/.ready-$ROOT_PACKAGES"
	fi
	echo "$dir"
}

# copy_modules KDIR KREL DEST MODULE...: modules with their dependencies
copy_modules() {
	local kdir=$1 krel=$2 dest=$3 m f rel
	shift 3
	for m in "$@"; do
		modprobe -d "$kdir/root" -S "$krel" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" { print $2 }'
	done | sort -u | while read -r f; do
		[ -n "$f" ] || continue
		rel=${f#"$kdir/root"}
		rel=/lib/${rel#*/lib/}
		install -D -m 0644 "$f" "$dest$rel"
		case "$rel" in
		*.xz) xz -d -f "$dest$rel" ;;
		*.zst) zstd -q -d -f --rm "$dest$rel" ;;
		esac
	done
	mkdir -p "$dest/lib/modules/$krel"
	cp "$kdir/root/lib/modules/$krel"/modules.{order,builtin}* "$dest/lib/modules/$krel/" 2>/dev/null || true
}

# build_images KDIR KREL KO MODE: the ext4 root image and the initramfs
# that mounts it
build_images() {
	local kdir=$1 krel=$2 ko=$3 mode=$4 rootfs stage out=$LAB_CACHE/cluster
	rootfs=$(cluster_rootfs "$SUITE")
	stage=$out/stage
	rm -rf "$stage"
	mkdir -p "$out"
	cp -a "$rootfs" "$stage"
	rm -rf "$stage"/var/cache/apt/archives/*.deb "$stage"/usr/share/doc "$stage"/usr/share/man
	rm -rf "$stage/lib/modules"/*
	copy_modules "$kdir" "$krel" "$stage" $ROOT_MODULES
	install -D -m 0644 "$ko" "$stage/lib/modules/$krel/extra/tcm_remote.ko"
	depmod -b "$stage" "$krel"
	gcc -O2 -static -Wall -Wextra -Werror -D_GNU_SOURCE -I"$TOP/lib" \
		-I"$TOP/cli" -o "$stage/usr/local/sbin/liocluster" "$TOP"/cli/*.c "$TOP"/lib/*.c -lyaml
	mkdir -p "$stage/lab"
	install -m 0755 "$CL/init" "$CL/target.sh" "$CL/initiator.sh" "$CL/admins.sh" "$stage/lab/"
	cp "$CL"/*.yaml "$CL/admins.secrets" "$CL/multipath.conf" "$stage/lab/"
	cp "$TOP/tests/lib/guest.sh" "$stage/lab/guest.sh"
	[ "$mode" = own-only ] && touch "$stage/lab/mode-own-only"
	rm -f "$out/root.img"
	mke2fs -q -t ext4 -L labroot -d "$stage" "$out/root.img" \
		"$(( $(du -sm "$stage" | cut -f1) + 200 ))M"
	rm -rf "$stage"

	# the initramfs: load virtio and ext4, mount the root image, hand over
	local ir
	ir=$(mktemp -d)
	mkdir -p "$ir"/{bin,dev,proc,sys,newroot}
	cp /bin/busybox "$ir/bin/"
	copy_modules "$kdir" "$krel" "$ir" $BOOT_MODULES
	depmod -b "$ir" "$krel"
	cat >"$ir/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_pci virtio_blk crc32c_generic ext4; do modprobe $m; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 /dev/vda /newroot || { echo "cannot mount the root image"; poweroff -f; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /lab/init
INIT
	chmod +x "$ir/init"
	(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz"
	rm -rf "$ir"
}

run_cluster() {
	local mode=$1 kdir krel ko out=$LAB_CACHE/cluster kernel p1 p2 s rc=0 passed failed
	kdir=$(cmd_kernel "$SUITE")
	krel=$(cat "$kdir/krel")
	kernel=$(cat "$kdir/vmlinuz")
	ko=$(cmd_module "$SUITE")
	say "cluster ($mode): building the guests' images"
	build_images "$kdir" "$krel" "$ko" "$mode"
	rm -f "$out/shared.img"
	truncate -s 64M "$out/shared.img"
	# two point-to-point links on loopback TCP: node-a - initiator, node-b - initiator
	p1=$((20000 + RANDOM % 20000))
	p2=$((p1 + 1))
	local disk=(-drive "file=$out/root.img,if=none,id=root,format=raw,snapshot=on"
		-device virtio-blk-pci,drive=root)
	local shared=(-drive "file=$out/shared.img,if=none,id=shared,format=raw,file.locking=off"
		-device virtio-blk-pci,drive=shared,share-rw=on)
	local opts="net.ifnames=0 lab.role=target"
	say "cluster ($mode): booting node-a, node-b and the initiator"
	local start end
	start=$(date +%s.%N)
	LAB_MEM=768 boot "$kernel" "$out/initrd.gz" "$out/node-a.log" "$opts lab.node=node-a lab.ip=eth0:192.0.2.1/30" \
		"${disk[@]}" "${shared[@]}" -netdev "socket,id=n0,listen=127.0.0.1:$p1" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:0a:01 &
	local pa=$!
	LAB_MEM=768 boot "$kernel" "$out/initrd.gz" "$out/node-b.log" "$opts lab.node=node-b lab.ip=eth0:192.0.2.5/30" \
		"${disk[@]}" "${shared[@]}" -netdev "socket,id=n0,listen=127.0.0.1:$p2" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:0b:01 &
	local pb=$!
	sleep 3
	LAB_MEM=768 boot "$kernel" "$out/initrd.gz" "$out/initiator.log" \
		"net.ifnames=0 lab.role=initiator lab.node=initiator lab.ip=eth0:192.0.2.2/30,eth1:192.0.2.6/30" \
		"${disk[@]}" -netdev "socket,id=n0,connect=127.0.0.1:$p1" \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:00:01:01 \
		-netdev "socket,id=n1,connect=127.0.0.1:$p2" \
		-device virtio-net-pci,netdev=n1,mac=52:54:00:00:01:02
	wait $pa $pb || true
	end=$(date +%s.%N)

	tr -d '\r' <"$out/initiator.log" >"$out/initiator.txt"
	grep -E '^(not )?ok |^#' "$out/initiator.txt" | sed "s/^/[$mode] /" || true
	passed=$(grep -c '^ok ' "$out/initiator.txt" || true)
	failed=$(grep -c '^not ok ' "$out/initiator.txt" || true)
	if ! grep -q '^=== END role status=0' "$out/initiator.txt"; then
		echo "not ok - [$mode] the initiator did not finish; console tail:"
		tail -n 30 "$out/initiator.txt" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
	for s in node-a node-b initiator; do
		tr -d '\r' <"$out/$s.log" >"$out/$s.txt"
		if judge_dmesg "[$mode] $s" "$out/$s.txt"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
		grep -E '^(LAB|# node)' <(tr -d '\r' <"$out/$s.log") | sed "s/^/[$mode] $s: /" || true
	done
	for s in before after; do
		if grep -q "^=== BEGIN multipath-$s" "$out/initiator.txt"; then
			echo "[$mode] multipath -ll $s the failover:"
			sed -n "/^=== BEGIN multipath-$s/,/^=== END multipath-$s/p" "$out/initiator.txt" |
				sed '1d;$d; s/^/    /'
		fi
	done
	grep -o 'FAILOVER .*' "$out/initiator.txt" | sed "s/^/[$mode] /" || true
	awk -v a="$start" -v b="$end" -v m="$mode" 'BEGIN { printf "[%s] three guests, boot to result: %.1f s\n", m, b - a }'
	echo "CLUSTER_RESULT mode=$mode passed=$passed failed=$failed"
	TOTAL_PASSED=$((TOTAL_PASSED + passed))
	TOTAL_FAILED=$((TOTAL_FAILED + failed))
	[ "$failed" -eq 0 ] || rc=1
	return $rc
}

# run_admins: one guest, node-a beside targetcli (lab/cluster/admins.sh)
run_admins() {
	local kdir krel ko out=$LAB_CACHE/cluster kernel passed failed start end
	kdir=$(cmd_kernel "$SUITE")
	krel=$(cat "$kdir/krel")
	kernel=$(cat "$kdir/vmlinuz")
	ko=$(cmd_module "$SUITE")
	say "cluster (admins): building the guest's images"
	build_images "$kdir" "$krel" "$ko" full
	start=$(date +%s.%N)
	LAB_MEM=1024 boot "$kernel" "$out/initrd.gz" "$out/admins.log" \
		"net.ifnames=0 lab.role=admins lab.node=node-a" \
		-drive "file=$out/root.img,if=none,id=root,format=raw,snapshot=on" \
		-device virtio-blk-pci,drive=root
	end=$(date +%s.%N)
	tr -d '\r' <"$out/admins.log" >"$out/admins.txt"
	grep -E '^(not )?ok |^#' "$out/admins.txt" | sed 's/^/[admins] /' || true
	passed=$(grep -c '^ok ' "$out/admins.txt" || true)
	failed=$(grep -c '^not ok ' "$out/admins.txt" || true)
	if ! grep -q '^=== END role status=0' "$out/admins.txt"; then
		echo "not ok - [admins] the guest did not finish; console tail:"
		tail -n 30 "$out/admins.txt" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
	if judge_dmesg "[admins] node-a" "$out/admins.txt"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	awk -v a="$start" -v b="$end" 'BEGIN { printf "[admins] one guest, boot to result: %.1f s\n", b - a }'
	echo "CLUSTER_RESULT mode=admins passed=$passed failed=$failed"
	TOTAL_PASSED=$((TOTAL_PASSED + passed))
	TOTAL_FAILED=$((TOTAL_FAILED + failed))
	[ "$failed" -eq 0 ]
}

TOTAL_PASSED=0
TOTAL_FAILED=0
cmd_deps
command -v mke2fs >/dev/null || apt-get install -y -qq --no-install-recommends e2fsprogs >/dev/null
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(own-only full admins)
for m in "${modes[@]}"; do
	case "$m" in
	own-only | full) run_cluster "$m" || true ;;
	admins) run_admins || true ;;
	*) die "unknown mode $m (own-only, full or admins)" ;;
	esac
done
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
