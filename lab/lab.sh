#!/bin/bash
# The lab: boot a real Debian kernel under qemu (software emulation), load
# LIO and tcm_remote in it, run scenario scripts and collect their results
# and the guest's kernel log.
#
#   lab/lab.sh deps                     install the host packages the lab uses
#   lab/lab.sh kernel SUITE             fetch SUITE's kernel, headers; print its dir
#   lab/lab.sh module SUITE             build kmod/ against SUITE's kernel
#   lab/lab.sh run SUITE SCENARIO...    boot SUITE's kernel and run the scenarios
#   lab/lab.sh checkpatch               fetch checkpatch.pl; print its path
#   lab/lab.sh buildenv SUITE           the chroot a non-host suite builds in
#   lab/lab.sh upstream SUITE           build upstream's tcm_remote (6.4+) as a reference
#   lab/lab.sh parity SUITE             the parity probe against upstream's module and ours
#   lab/lab.sh stress SUITE [upstream]  the random stress (tests/scenarios/08-stress.sh) with
#                                       SEEDS seeds (default 3), slub_debug=FZPU, against
#                                       our module or upstream's; prints a STRESS_RESULT line
#
# SUITE is a Debian suite name (bookworm, ...).  Everything downloaded goes
# to $LAB_CACHE (default lab/cache); apt runs with a private state
# directory there, so the system's apt sources are never changed.
#
# `run` prints the scenarios' TAP lines, then one line per scenario and a
# summary; it exits non-zero when a check failed, a scenario did not finish,
# or the guest's kernel log shows a warning, BUG or oops.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$LAB_DIR/.." && pwd)
LAB_CACHE=${LAB_CACHE:-$LAB_DIR/cache}
LAB_TIMEOUT=${LAB_TIMEOUT:-900}
LAB_MEM=${LAB_MEM:-1024}
LAB_APPEND=${LAB_APPEND:-}

die() { echo "lab: $*" >&2; exit 2; }
say() { echo "lab: $*" >&2; }

# --- host packages --------------------------------------------------------

# Everything every lab and `make deb` needs, installed up front: make
# check runs the install lab beside the kernel matrix, and an apt-get
# install in one would rewrite the dpkg status the other's apt-cache reads.
HOST_PACKAGES="qemu-system-x86 busybox-static sg3-utils cpio kmod gzip xz-utils zstd
	gcc make libc6-dev libelf-dev debian-archive-keyring apt debootstrap perl
	libyaml-dev clang libclang-rt-14-dev resource-agents libxml2-utils
	qemu-utils mmdebstrap e2fsprogs build-essential debhelper dh-dkms dkms dpkg-dev fakeroot lintian"

cmd_deps() {
	local missing=() p
	for p in $HOST_PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- a private apt for any Debian suite -----------------------------------

# The Debian archive (or, with "security", the security archive) that this
# machine's apt already uses, read from its sources.
debian_mirror() {
	local want=${1:-main} uri
	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v want="$want" '
		function done() {
			if (!found && u != "" && deb && ((want == "security") == (u ~ /security/))) {
				print u; found = 1
			}
			u = ""; deb = 0
		}
		/^URIs:/ { u = $2 }
		/^Suites:/ { deb = 1 }
		/^$/ { done() }
		END { done() }')
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v want="$want" '
			$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {
				if ((want == "security") == ($i ~ /security/)) { print $i; exit } } }')
	fi
	[ -n "$uri" ] || [ "$want" = security ] || die "cannot find a Debian mirror in /etc/apt/sources*"
	echo "${uri%/}"
}

# The apt lines for SUITE: a stable suite comes with its point-release
# updates and security fixes, where the kernels of the month are.
suite_sources() {
	local suite=$1 main sec key=/usr/share/keyrings/debian-archive-keyring.gpg
	main=$(debian_mirror main)
	echo "deb [signed-by=$key] $main $suite main"
	case "$suite" in
	sid | unstable | experimental | *-backports) return 0 ;;
	esac
	echo "deb [signed-by=$key] $main $suite-updates main"
	sec=$(debian_mirror security)
	[ -n "$sec" ] && echo "deb [signed-by=$key] $sec $suite-security main"
	return 0
}

# apt_private SUITE ARGS... : run apt-get/apt-cache against SUITE only
apt_dir() { echo "$LAB_CACHE/apt/$1"; }

apt_setup() {
	local suite=$1 dir
	dir=$(apt_dir "$suite")
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	if [ ! -f "$dir/sources.list.d/$suite.list" ]; then
		suite_sources "$suite" >"$dir/sources.list.d/$suite.list"
	fi
	# Refresh the lists once a day at most.
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		say "apt: updating the $suite lists"
		apt_private "$suite" apt-get update -qq ||
			die "apt could not read suite $suite (is it still on the mirror?)"
	fi
}

apt_private() {
	local suite=$1 tool=$2 dir
	shift 2
	dir=$(apt_dir "$suite")
	"$tool" -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts="$dir/sources.list.d" \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
		-o Acquire::Languages=none -o APT::Sandbox::User=root \
		-o Acquire::Check-Valid-Until=false \
		"$@"
}

# The first dependency of PKG whose name matches RE.
dep_of() {
	local suite=$1 pkg=$2 re=$3
	apt_private "$suite" apt-cache depends "$pkg" 2>/dev/null |
		awk -v re="$re" '$1 ~ /Depends:$/ && $2 ~ re { print $2; exit }'
}

# --- a kernel: image, modules and headers, unpacked --------------------------

# kernel_dir SUITE: unpack SUITE's newest amd64 kernel and headers once.
# Prints the directory, which holds root/ (the unpacked packages), krel
# (the kernel release) and build (the path of the prepared build tree).
cmd_kernel() {
	local suite=$1 kdir image headers common kbuild debs krel build abi extra vmlinuz
	kdir=$LAB_CACHE/kernels/$suite
	if [ -f "$kdir/ready" ] && [ -f "$kdir/headers-package" ]; then
		echo "$kdir"
		return 0
	fi
	apt_setup "$suite"
	image=$(dep_of "$suite" linux-image-amd64 '^linux-image-' || true)
	[ -n "$image" ] || die "$suite: no linux-image-amd64 in the archive"
	headers=$(dep_of "$suite" linux-headers-amd64 '^linux-headers-' || true)
	[ -n "$headers" ] || die "$suite: no linux-headers-amd64 in the archive"
	common=$(dep_of "$suite" "$headers" '^linux-headers-.*-common' || true)
	kbuild=$(dep_of "$suite" "$headers" '^linux-kbuild-' || true)
	# From 7.x Debian splits the image: linux-binary-ABI holds the kernel,
	# linux-modules-ABI the modules, linux-base-ABI the rest.
	abi=${image#linux-image-}
	for extra in "linux-binary-$abi" "linux-modules-$abi" "linux-base-$abi"; do
		if apt_private "$suite" apt-cache show "$extra" >/dev/null 2>&1; then
			image="$image $extra"
		fi
	done
	say "$suite: fetching $image $headers $common $kbuild"
	debs=$LAB_CACHE/debs/$suite
	rm -rf "$kdir" "$debs"
	mkdir -p "$debs" "$kdir/root"
	(cd "$debs" && apt_private "$suite" apt-get download -qq $image $headers $common $kbuild) ||
		die "$suite: could not download the kernel packages"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$kdir/root"
	done
	# Newer packages install to /usr/lib only (merged /usr).
	if [ ! -e "$kdir/root/lib" ] && [ -d "$kdir/root/usr/lib/modules" ]; then
		ln -s usr/lib "$kdir/root/lib"
	fi
	krel=$(ls "$kdir/root/lib/modules" | head -n1)
	for vmlinuz in "$kdir/root/boot/vmlinuz-$krel" "$kdir/root/lib/modules/$krel/vmlinuz" ""; do
		[ -f "$vmlinuz" ] && break
	done
	[ -n "$vmlinuz" ] || die "$suite: no kernel image for $krel in $image"
	build=$kdir/root/usr/src/linux-headers-$krel
	# The arch headers include the common ones by absolute path.
	sed -i "s#^include /usr/src/#include $kdir/root/usr/src/#" "$build/Makefile"
	depmod -b "$kdir/root" "$krel"
	echo "$krel" >"$kdir/krel"
	echo "$build" >"$kdir/build"
	echo "$vmlinuz" >"$kdir/vmlinuz"
	echo "$headers" >"$kdir/headers-package"
	rm -rf "$debs"
	touch "$kdir/ready"
	echo "$kdir"
}

# --- checkpatch.pl, from Debian's kernel source package ---------------------

cmd_checkpatch() {
	local dir=$LAB_CACHE/checkpatch src deb tarball top
	if [ ! -f "$dir/scripts/checkpatch.pl" ]; then
		apt_setup bookworm
		src=$(dep_of bookworm linux-source '^linux-source-')
		[ -n "$src" ] || die "no linux-source package in bookworm"
		say "fetching $src for checkpatch.pl"
		rm -rf "$dir" && mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt_private bookworm apt-get download -qq "$src") ||
			die "could not download $src"
		dpkg-deb -x "$dir"/deb/*.deb "$dir/deb/x"
		tarball=$(ls "$dir"/deb/x/usr/src/linux-source-*.tar.xz)
		top=$(basename "$tarball" .tar.xz)
		tar -xJf "$tarball" -C "$dir" --strip-components=1 \
			"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
			"$top/scripts/const_structs.checkpatch"
		rm -rf "$dir/deb"
	fi
	echo "$dir/scripts/checkpatch.pl"
}

# --- the upstream module, as a reference ------------------------------------

# cmd_upstream SUITE: build drivers/target/tcm_remote from SUITE's own
# linux-source package (Linux 6.4+), unchanged, as an out-of-tree module.
cmd_upstream() {
	local suite=$1 dir=$LAB_CACHE/upstream/$1 src tarball top out=$LAB_CACHE/build/$1-upstream
	if [ ! -f "$dir/tcm_remote.c" ]; then
		apt_setup "$suite"
		src=$(dep_of "$suite" linux-source '^linux-source-')
		[ -n "$src" ] || die "$suite: no linux-source package"
		say "$suite: fetching $src for the upstream tcm_remote"
		rm -rf "$dir" && mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt_private "$suite" apt-get download -qq "$src") ||
			die "$suite: could not download $src"
		dpkg-deb -x "$dir"/deb/*.deb "$dir/deb/x"
		tarball=$(ls "$dir"/deb/x/usr/src/linux-source-*.tar.xz)
		top=$(basename "$tarball" .tar.xz)
		tar -xJf "$tarball" -C "$dir" --strip-components=4 \
			"$top/drivers/target/tcm_remote" 2>/dev/null ||
			die "$suite: $src has no drivers/target/tcm_remote (older than 6.4?)"
		rm -rf "$dir/deb"
	fi
	src=$(mktemp -d)
	cp "$dir"/tcm_remote.[ch] "$src/"
	echo 'obj-m := tcm_remote.o' >"$src/Kbuild"
	cp "$TOP/kmod/Makefile" "$src/"
	build_module "$suite" "$src" "$out" || { rm -rf "$src"; die "$suite: upstream tcm_remote did not build"; }
	rm -rf "$src"
	echo "$out/tcm_remote.ko"
}

# cmd_parity SUITE: the parity probe against upstream's module and ours;
# prints the differences and fails on any not listed in
# tests/parity/expected-differences.txt (exit 1); exits 2 when the probe
# does not run to the end
cmd_parity() {
	local suite=$1 ref ours dir=$LAB_CACHE/parity/$1 rc=0
	mkdir -p "$dir"
	ref=$(cmd_upstream "$suite")
	ours=$(cmd_module "$suite")
	LAB_KO=$ref LAB_TAG=upstream LAB_SHOW=1 cmd_run "$suite" "$TOP/tests/parity/probe.sh" >"$dir/upstream.out" 2>&1 ||
		{ tail -n 30 "$dir/upstream.out" >&2; die "$suite: the probe failed against the upstream module"; }
	LAB_KO=$ours LAB_TAG=ours LAB_SHOW=1 cmd_run "$suite" "$TOP/tests/parity/probe.sh" >"$dir/ours.out" 2>&1 ||
		{ tail -n 30 "$dir/ours.out" >&2; die "$suite: the probe failed against our module"; }
	grep '^PARITY ' "$dir/upstream.out" >"$dir/upstream.parity"
	grep '^PARITY ' "$dir/ours.out" >"$dir/ours.parity"
	# "-" lines: upstream only; "+" lines: ours only
	{ diff "$dir/upstream.parity" "$dir/ours.parity" || true; } | sed -n 's/^< PARITY /- /p; s/^> PARITY /+ /p' |
		sort >"$dir/diff"
	{ grep -v '^#' "$TOP/tests/parity/expected-differences.txt" | grep . || true; } |
		sed 's/  *#.*//' | sort >"$dir/expected"
	echo "parity: $(wc -l <"$dir/upstream.parity") probe lines; $(wc -l <"$dir/diff") differ"
	sed 's/^/parity: /' "$dir/diff"
	if ! cmp -s "$dir/diff" "$dir/expected"; then
		echo "parity: the differences are not the documented ones:"
		{ diff "$dir/expected" "$dir/diff" || true; } | sed -n 's/^> /parity:   undocumented: /p; s/^< /parity:   documented but not seen: /p'
		rc=1
	fi
	return $rc
}

# cmd_stress SUITE [upstream]: boot SUITE's kernel with slub_debug=FZPU (red
# zones, poisoning, sanity checks: Debian builds no KASAN) and run only the
# stress scenario: SEEDS seeds (default 3) of STRESS_SEQS sequences of
# STRESS_OPS operations.  With "upstream", against upstream's module (6.4+),
# one boot per seed and without the checker's self-test: a kernel BUG there
# wedges configfs until reboot, and each seed should still get its chance.
# Prints the scenario's lines and one line
#   STRESS_RESULT suite= kernel= module= seeds= operations= kernel_messages= violations= ...
# Exit status: non-zero when a lab run failed (a kernel message fails it);
# the caller decides what counts (make stress does not count upstream's).
cmd_stress() {
	local suite=$1 which=${2:-ours} ko krel rc=0 outs=() boots s first=${STRESS_FIRST:-1} n=${SEEDS:-3}
	local params="STRESS_SEQS=${STRESS_SEQS:-4} STRESS_OPS=${STRESS_OPS:-200} STRESS_K=${STRESS_K:-20}"
	case "$which" in
	ours) ko=$(cmd_module "$suite"); boots=$first ;;
	upstream) ko=$(cmd_upstream "$suite"); boots=$(seq "$first" $((first + n - 1))) ;;
	*) die "usage: stress SUITE [upstream]" ;;
	esac
	krel=$(cat "$(cmd_kernel "$suite")/krel")
	mkdir -p "$LAB_CACHE/runs"
	local t0 t1 tag out these
	t0=$(date +%s)
	for s in $boots; do
		tag=stress-$which
		these="$params STRESS_SEEDS=$n STRESS_FIRST=$first"
		if [ "$which" = upstream ]; then
			tag=stress-upstream-$s
			these="$params STRESS_SEEDS=1 STRESS_FIRST=$s STRESS_SELFTEST=0"
		fi
		out=$LAB_CACHE/runs/$suite-$tag.out
		outs+=("$out")
		LAB_KO=$ko LAB_TAG=$tag LAB_APPEND="$LAB_APPEND slub_debug=FZPU $these" \
			cmd_run "$suite" "$TOP/tests/scenarios/08-stress.sh" >"$out" 2>&1 || rc=1
		grep -v "^# # repro:" "$out" || true
	done
	t1=$(date +%s)
	local kmsgs=0 k f
	for f in "${outs[@]}"; do
		k=$( { grep -E "$DMESG_BAD" "${f%.out}.console.log.txt.dmesg" 2>/dev/null || true; } |
			grep -vc 'Call Trace' || true)
		kmsgs=$((kmsgs + k))
		{ grep -E "$DMESG_BAD" "${f%.out}.console.log.txt.dmesg" 2>/dev/null || true; } | grep -v 'Call Trace' |
			head -n 10 | sed "s|^|stress: kernel message ($suite $which ${f##*/}): |" || true
	done
	# sum KEY: the sum of KEY= over the seeds' summary lines
	sum() { cat "${outs[@]}" | sed -n "s/.*STRESS seed=.* $1=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'; }
	echo "STRESS_RESULT suite=$suite kernel=$krel module=$which seeds=$(cat "${outs[@]}" | grep -c 'STRESS seed=' || true)/$n" \
		"sequences=$(sum sequences) operations=$(sum operations) kernel_messages=$kmsgs violations=$(sum violations)" \
		"teardown_failures=$(sum teardown_failures) rmmod_failures=$(sum rmmod_failures)" \
		"hung=$(cat "${outs[@]}" | grep -c 'STRESS hung\|STRESS worker killed' || true) seconds=$((t1 - t0)) lab_rc=$rc"
	return $rc
}

# --- our module ------------------------------------------------------------

# A suite's kernel is built with that suite's compiler, and its kbuild
# helpers link against that suite's C library.  The host's own suite builds
# against the unpacked headers directly; any other suite builds inside a
# debootstrap chroot of itself (kept in the cache).
host_suite() { . /etc/os-release && echo "${VERSION_CODENAME:-}"; }

cmd_buildenv() {
	local suite=$1 kdir krel ch headers
	kdir=$(cmd_kernel "$suite")
	krel=$(cat "$kdir/krel")
	headers=$(cat "$kdir/headers-package")
	ch=$LAB_CACHE/chroots/$suite
	# The stamp names the kernel and the recipe of the chroot's packages.
	local stamp=$ch/.ready-$krel-headers+perl
	if [ -f "$stamp" ]; then
		echo "$ch"
		return 0
	fi
	command -v debootstrap >/dev/null || die "debootstrap is missing (lab/lab.sh deps)"
	if [ ! -f "$ch/.base" ]; then
		say "$suite: debootstrap of a build chroot (once; cached in $ch)"
		rm -rf "$ch"
		debootstrap --variant=minbase --include=make,libc6-dev "$suite" "$ch" \
			"$(debian_mirror)" >"$LAB_CACHE/debootstrap-$suite.log" 2>&1 || {
			tail -n 20 "$LAB_CACHE/debootstrap-$suite.log" >&2
			die "$suite: debootstrap failed"
		}
		touch "$ch/.base"
	fi
	suite_sources "$suite" >"$ch/etc/apt/sources.list"
	# A mirror may be a snapshot whose Release files have passed their
	# Valid-Until date (sid's expire within days).
	echo 'Acquire::Check-Valid-Until "false";' >"$ch/etc/apt/apt.conf.d/99lab"
	say "$suite: installing $headers in the build chroot"
	chroot "$ch" apt-get update -qq >/dev/null &&
		DEBIAN_FRONTEND=noninteractive chroot "$ch" apt-get install -y -qq \
			--no-install-recommends "$headers" perl >/dev/null ||
		die "$suite: could not install $headers in the build chroot"
	rm -f "$ch"/.ready-*
	touch "$stamp"
	echo "$ch"
}

# build_module SUITE SRCDIR OUTDIR: build the out-of-tree module in SRCDIR
# for SUITE's kernel; the .ko files end up in OUTDIR
build_module() {
	local suite=$1 src=$2 out=$3 kdir krel ch
	kdir=$(cmd_kernel "$suite")
	krel=$(cat "$kdir/krel")
	rm -rf "$out"
	mkdir -p "$out"
	if [ "$suite" = "$(host_suite)" ]; then
		cp -r "$src"/. "$out/"
		make -s -C "$out" KDIR="$(cat "$kdir/build")" KCFLAGS=-Werror >"$out/build.log" 2>&1
	else
		ch=$(cmd_buildenv "$suite")
		rm -rf "$ch/build"
		mkdir -p "$ch/build"
		cp -r "$src"/. "$ch/build/"
		# objtool (7.x) reads /proc/self/limits
		mountpoint -q "$ch/proc" || mount -t proc proc "$ch/proc" || true
		chroot "$ch" make -s -C /build KDIR="/usr/src/linux-headers-$krel" \
			KCFLAGS=-Werror >"$out/build.log" 2>&1
		local rc=$?
		umount "$ch/proc" 2>/dev/null || true
		[ $rc -eq 0 ] && cp "$ch"/build/*.ko "$out/"
	fi || {
		cat "$out/build.log" >&2
		return 1
	}
	if grep -i 'warning' "$out/build.log" | grep -v 'Skipping BTF' >&2; then
		say "$suite: built with warnings"
		return 1
	fi
}

cmd_module() {
	local suite=$1 out src
	out=$LAB_CACHE/build/$suite
	src=$(mktemp -d)
	cp -r "$TOP"/kmod/{tcm_remote.c,compat.h,Kbuild,Makefile,probes} "$src/"
	build_module "$suite" "$src" "$out" || { rm -rf "$src"; die "$suite: tcm_remote.ko did not build"; }
	rm -rf "$src"
	echo "$out/tcm_remote.ko"
}

# --- the initramfs -----------------------------------------------------------

GUEST_MODULES="configfs target_core_mod target_core_file target_core_iblock tcm_loop
	iscsi_target_mod sd_mod sg loop scsi_dh_alua"
GUEST_PROGRAMS="sg_inq sg_rtpg sg_luns sg_vpd sg_readcap sg_turs sg_stpg"

# copy_with_libs ROOT FILE...: copy programs and the shared libraries they use
copy_with_libs() {
	local root=$1 f lib
	shift
	for f in "$@"; do
		install -D -m 0755 "$f" "$root$f"
		ldd "$f" 2>/dev/null | awk '/=>/ { print $3 } /^\t\// { print $1 }' |
			while read -r lib; do
				if [ -e "$lib" ] && [ ! -e "$root$lib" ]; then
					install -D "$lib" "$root$lib"
				fi
			done
	done
}

build_initramfs() {
	local suite=$1 ko=$2 out=$3 kdir krel root m f
	shift 3
	kdir=$(cmd_kernel "$suite")
	krel=$(cat "$kdir/krel")
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,etc,lib/modules/"$krel"/extra,tests/scenarios}
	cp /bin/busybox "$root/bin/busybox"
	# Modules and their dependencies, as modprobe resolves them.
	for m in $GUEST_MODULES; do
		modprobe -d "$kdir/root" -S "$krel" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" { print $2 }'
	done | sort -u | while read -r f; do
		local rel=${f#"$kdir/root"}
		install -D -m 0644 "$f" "$root$rel"
		case "$rel" in
		*.xz) xz -d "$root$rel" ;;
		*.zst) zstd -q -d --rm "$root$rel" ;;
		*.gz) gzip -d "$root$rel" ;;
		esac
	done
	cp "$ko" "$root/lib/modules/$krel/extra/"
	cp "$kdir/root/lib/modules/$krel"/modules.{order,builtin}* "$root/lib/modules/$krel/" 2>/dev/null || true
	depmod -b "$root" "$krel"
	# Initiator tools and our configfs probe.
	local progs=()
	for f in $GUEST_PROGRAMS; do progs+=("$(command -v "$f")"); done
	copy_with_libs "$root" "${progs[@]}"
	gcc -O2 -static -Wall -Wextra -Werror -o "$root/bin/cfsop" "$LAB_DIR/guest/cfsop.c"
	gcc -O2 -static -Wall -Wextra -Werror -o "$root/bin/stress" "$LAB_DIR/guest/stress.c"
	# the cluster tool, static, and the descriptions the scenarios use
	gcc -O2 -static -Wall -Wextra -Werror -D_GNU_SOURCE -I"$TOP/lib" -o "$root/bin/liocluster" \
		-I"$TOP/cli" "$TOP"/cli/*.c "$TOP"/lib/*.c -lyaml
	mkdir -p "$root/tests/data"
	cp "$TOP"/tests/scenarios/data/*.yaml "$root/tests/data/"
	# The scenarios.
	install -m 0755 "$LAB_DIR/guest/init" "$root/init"
	cp "$TOP/tests/lib/guest.sh" "$root/tests/"
	: >"$root/tests/scenarios.list"
	for f in "$@"; do
		cp "$f" "$root/tests/scenarios/"
		basename "$f" >>"$root/tests/scenarios.list"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

# --- boot and collect ------------------------------------------------------

# boot KERNEL INITRD LOG [APPEND [QEMU-ARGS...]]: run a guest to power-off;
# its console goes to LOG.  APPEND adds kernel options, QEMU-ARGS devices.
#
# Two vCPUs, so the guest kernel runs its SMP code paths, but on one TCG
# thread: with one host thread per vCPU (MTTCG), a vCPU can still execute
# a translated block holding the int3 that another vCPU has just patched
# away (text_poke_bp), and the guest dies early in boot with "Oops: int3"
# in whatever function was being patched.  Seen once, in a CI boot
# of 6.12, in sched_clock_cpu, before any module was loaded.
boot() {
	local kernel=$1 initrd=$2 log=$3 append=${4:-}
	shift 3
	[ $# -gt 0 ] && shift
	timeout --foreground "$LAB_TIMEOUT" qemu-system-x86_64 \
		-machine q35 -accel tcg,thread=single -cpu max -smp 2 -m "$LAB_MEM" \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 slub_debug=U rcupdate.rcu_expedited=1 $LAB_APPEND $append" \
		"$@" </dev/null >"$log" 2>&1 || true
}

# The guest log fails a run whatever the scenarios said when it shows one
# of these.
DMESG_BAD='WARNING:|BUG[: ]|Oops|Call Trace|general protection fault|kernel panic|Kernel panic|UBSAN|KASAN|list_(add|del) corruption'

cmd_run() {
	local suite=$1 ko kdir krel initrd log start end s
	shift
	[ $# -gt 0 ] || die "run: name at least one scenario"
	for s in "$@"; do [ -f "$s" ] || die "no scenario $s"; done
	cmd_deps
	kdir=$(cmd_kernel "$suite")
	krel=$(cat "$kdir/krel")
	# LAB_KO: another tcm_remote.ko to load instead of ours (parity)
	ko=${LAB_KO:-$(cmd_module "$suite")}
	mkdir -p "$LAB_CACHE/runs"
	initrd=$LAB_CACHE/runs/$suite${LAB_TAG:+-$LAB_TAG}.initrd.gz
	log=$LAB_CACHE/runs/$suite${LAB_TAG:+-$LAB_TAG}.console.log
	build_initramfs "$suite" "$ko" "$initrd" "$@"
	say "$suite: booting $krel with $# scenario(s)"
	start=$(date +%s.%N)
	boot "$(cat "$kdir/vmlinuz")" "$initrd" "$log"
	end=$(date +%s.%N)
	LAB_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	collect "$suite" "$krel" "$log" "$@"
}

# judge_dmesg NAME CONSOLE: the guest's kernel log, framed by its init in
# CONSOLE, is there and free of warnings and crashes; prints a TAP line
judge_dmesg() {
	local name=$1 console=$2
	sed -n '/^=== BEGIN dmesg$/,/^=== END dmesg$/p' "$console" >"$console.dmesg"
	if ! grep -q '^=== END dmesg$' "$console.dmesg"; then
		echo "not ok - $name: the guest's kernel log was not collected; console tail:"
		tail -n 40 "$console" | sed 's/^/#   /'
		return 1
	fi
	if grep -E "$DMESG_BAD" "$console.dmesg" >"$console.bad"; then
		echo "not ok - $name: the guest's kernel log shows a warning or crash:"
		sed 's/^/#   /' "$console.bad" | head -n 40
		return 1
	fi
	echo "ok - $name: guest kernel log free of WARNING/BUG/Oops/Call Trace"
}

# collect SUITE KREL LOG SCENARIO...: judge a console log
collect() {
	local suite=$1 krel=$2 log=$3 s name passed failed total_p=0 total_f=0 rc=0 status
	shift 3
	tr -d '\r' <"$log" >"$log.txt"
	for s in "$@"; do
		name=$(basename "$s")
		sed -n "/^=== BEGIN $name\$/,/^=== END $name /p" "$log.txt" >"$log.$name"
		if [ "${LAB_SHOW:-0}" = 1 ]; then
			sed '1d; $d' "$log.$name" | grep -vE '^(ok [0-9]|# [0-9]+ checks)' | grep -v '^\[ *[0-9.]*\]' || true
		else
			grep -E '^(not )?ok |^#' "$log.$name" || true
		fi
		passed=$(grep -c '^ok ' "$log.$name" || true)
		failed=$(grep -c '^not ok ' "$log.$name" || true)
		status=$(sed -n "s/^=== END $name status=\([0-9]*\)\$/\1/p" "$log.$name")
		if [ -z "$status" ]; then
			echo "not ok - $name did not finish (guest hung or crashed)"
			failed=$((failed + 1))
		elif [ "$status" != 0 ]; then
			echo "not ok - $name exited with status $status"
			failed=$((failed + 1))
		elif [ "$passed" -eq 0 ]; then
			echo "not ok - $name ran no check"
			failed=$((failed + 1))
		fi
		printf 'lab: %-8s %-28s %3d passed, %d failed\n' "$suite" "$name" "$passed" "$failed"
		total_p=$((total_p + passed))
		total_f=$((total_f + failed))
	done
	if judge_dmesg "$suite" "$log.txt"; then
		total_p=$((total_p + 1))
	else
		total_f=$((total_f + 1))
	fi
	echo "lab: $suite ($krel): boot to result ${LAB_SECONDS:-?} s; log $log.txt"
	echo "LAB_RESULT suite=$suite krel=$krel passed=$total_p failed=$total_f seconds=${LAB_SECONDS:-0}"
	[ "$total_f" -eq 0 ] || rc=1
	return $rc
}

main() {
	local cmd=${1:-}
	shift || true
	case "$cmd" in
	deps) cmd_deps ;;
	kernel) [ $# -eq 1 ] || die "usage: kernel SUITE"; cmd_kernel "$1" ;;
	module) [ $# -eq 1 ] || die "usage: module SUITE"; cmd_module "$1" ;;
	checkpatch) cmd_checkpatch ;;
	buildenv) [ $# -eq 1 ] || die "usage: buildenv SUITE"; cmd_buildenv "$1" ;;
	upstream) [ $# -eq 1 ] || die "usage: upstream SUITE"; cmd_upstream "$1" ;;
	parity) [ $# -eq 1 ] || die "usage: parity SUITE"; cmd_parity "$1" ;;
	stress) [ $# -ge 1 ] && [ $# -le 2 ] || die "usage: stress SUITE [upstream]"; cmd_stress "$@" ;;
	run) [ $# -ge 2 ] || die "usage: run SUITE SCENARIO..."; cmd_run "$@" ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	esac
}

# Run as a command; sourced (lab/cluster.sh), it only defines the functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
