# Scenario 3: lifecycle.
#
# Build a full tree on the remote fabric (four WWN forms, two TPGs each,
# LUNs on rd_mcp, fileio and iblock backstores, ALUA membership, ACLs with
# mapped LUNs) and tear it down 50 times; then load and unload the module
# 20 times.  The guest boots with slub_debug=U, so every live slab object
# is counted under the function that allocated it: the objects allocated
# by target core, configfs and tcm_remote must come back to their baseline,
# and so must the modules' reference counts.
. /tests/guest.sh

CYCLES=${CYCLES:-50}
LOADS=${LOADS:-20}
WWNS="iqn.2026-11.com.example:node-b naa.5001405000000b01 fc.21000024ff00000b eui.0123456789abcdef"
TAGS="1 300"
INITS="iqn.2026-11.com.example:client-1 iqn.2026-11.com.example:client-2"

run modprobe target_core_mod
run modprobe target_core_file
run modprobe target_core_iblock
run modprobe loop
run modprobe tcm_remote
run dd if=/dev/zero of=/tmp/iblock.img bs=1M count=8
run losetup /dev/loop0 /tmp/iblock.img

# live objects allocated by the LIO modules, configfs and tcm_remote, from
# SLUB's per-call-site counts (debugfs from 6.0, sysfs before); objects of
# an unloaded module show as bare addresses and count too
live_sites() {
	cat /sys/kernel/debug/slab/*/alloc_traces /sys/kernel/slab/*/alloc_calls 2>/dev/null |
		awk '/\[(tcm_remote|target_core_[a-z]+|configfs)\]/ || $2 ~ /^0x/ { sub(/\+.*/, "", $2); n[$2] += $1 }
			END { for (f in n) print f, n[f] }' | sort
}
live_objects() { live_sites | awk '{ s += $2 } END { print s + 0 }'; }

# settled_objects [TARGET]: target core frees LUNs and LUN mappings after
# an RCU grace period, so wait (20 s at most) until the count reaches
# TARGET, or without one until it stops falling; then print it.
settled_objects() {
	prev=$(live_objects)
	i=0
	while [ $i -lt 40 ]; do
		sleep 0.5
		cur=$(live_objects)
		if [ -n "${1:-}" ]; then
			[ "$cur" -le "$1" ] && break
		elif [ "$cur" -ge "$prev" ] && [ $i -ge 3 ]; then
			break
		fi
		prev=$cur
		i=$((i + 1))
	done
	echo "$cur"
}

# The tree as a batch of configfs operations (see lab/guest/cfsop.c); the
# teardown is the same list reversed, each mkdir undone by rmdir and each
# symlink by unlink.  One process per batch keeps 50 cycles quick under
# emulation.
{
	for d in rd_mcp_1 rd_mcp_1/lc_rd fileio_1 fileio_1/lc_file iblock_1 iblock_1/lc_blk; do
		echo "mkdir $T/core/$d"
	done
	echo "write $T/core/rd_mcp_1/lc_rd/control rd_pages=256"
	echo "write $T/core/fileio_1/lc_file/control fd_dev_name=/tmp/fileio.img,fd_dev_size=4194304"
	echo "write $T/core/iblock_1/lc_blk/control udev_path=/dev/loop0"
	for d in rd_mcp_1/lc_rd fileio_1/lc_file iblock_1/lc_blk; do
		echo "write $T/core/$d/wwn/vpd_unit_serial lc-${d#*/}"
		echo "write $T/core/$d/enable 1"
		echo "mkdir $T/core/$d/alua/peer"
		echo "write $T/core/$d/alua/peer/tg_pt_gp_id 2"
		echo "write $T/core/$d/alua/peer/alua_access_state $SB"
	done
	echo "mkdir $T/remote"
	for w in $WWNS; do
		echo "mkdir $T/remote/$w"
		for t in $TAGS; do
			P=$T/remote/$w/tpgt_$t
			echo "mkdir $P"
			n=0
			for d in rd_mcp_1/lc_rd fileio_1/lc_file iblock_1/lc_blk; do
				echo "mkdir $P/lun/lun_$n"
				echo "symlink $T/core/$d $P/lun/lun_$n/port"
				echo "write $P/lun/lun_$n/alua_tg_pt_gp peer"
				n=$((n + 1))
			done
			for i in $INITS; do
				echo "mkdir $P/acls/$i"
				for n in 0 1 2; do
					echo "mkdir $P/acls/$i/lun_$n"
					echo "symlink $P/lun/lun_$n $P/acls/$i/lun_$n/map"
				done
			done
		done
	done
} >/tmp/build.ops
awk '$1 == "mkdir" { print "rmdir " $2 } $1 == "symlink" { print "unlink " $3 }' /tmp/build.ops |
	sed -n '1!G;h;$p' >/tmp/teardown.ops
echo "# the tree: $(wc -l </tmp/build.ops) operations to build, $(wc -l </tmp/teardown.ops) to tear down"
build() { cfsop - </tmp/build.ops; }
# what one tree holds: 4 WWNs x 2 TPGs x 3 LUNs, and 2 ACLs x 3 mapped LUNs each
LUNS_PER_TREE=24
MAPS_PER_TREE=48
teardown() { cfsop - </tmp/teardown.ops; }

echo "# one warm-up cycle, then the baseline"
build >/dev/null
teardown >/dev/null
BASE_OBJ=$(settled_objects)
live_sites >/tmp/sites.base
BASE_TCM=$(cat /sys/module/target_core_mod/refcnt)
echo "# baseline: $BASE_OBJ live objects, target_core_mod refcnt $BASE_TCM"
check "slub_debug=U is on (allocation sites are counted)" test "$BASE_OBJ" -gt 0

built=0 full=0 members=0 cleared=0
c=0
while [ $c -lt "$CYCLES" ]; do
	build >/tmp/build.out && built=$((built + 1))
	nl=$(ls -d "$T"/remote/*/tpgt_*/lun/lun_* | wc -l)
	nm=$(ls -d "$T"/remote/*/tpgt_*/acls/*/lun_*/map | wc -l)
	[ "$nl" = $LUNS_PER_TREE ] && [ "$nm" = $MAPS_PER_TREE ] && full=$((full + 1))
	nb=$(cat "$T"/core/*_1/*/alua/peer/members | grep -c remote/)
	[ "$nb" = $LUNS_PER_TREE ] && members=$((members + 1))
	teardown >/tmp/teardown.out &&
		[ "$(find "$T" -mindepth 1 -maxdepth 1 -type d)" = "$T/core" ] &&
		[ -z "$(ls -d "$T"/core/*_1 2>/dev/null)" ] && cleared=$((cleared + 1))
	c=$((c + 1))
done
expect "every cycle built the tree without a failed step" "$CYCLES" "$built"
sed 's/^/#   build: /' /tmp/build.out
expect "every cycle had $LUNS_PER_TREE remote LUNs and $MAPS_PER_TREE mapped LUNs" "$CYCLES" "$full"
expect "every cycle had all $LUNS_PER_TREE remote LUNs in the peer ALUA groups" "$CYCLES" "$members"
expect "every teardown left only core/ with no backstore" "$CYCLES" "$cleared"
sed 's/^/#   teardown: /' /tmp/teardown.out

OBJ=$(settled_objects "$BASE_OBJ")
echo "# after $CYCLES cycles: $OBJ live objects"
live_sites | diff /tmp/sites.base - | sed 's/^/#   sites: /'
expect "live LIO/configfs/tcm_remote objects back to the baseline" "$BASE_OBJ" "$OBJ"
live_sites >/tmp/sites.before-unload
expect "tcm_remote's reference count is 0 with no fabric directory" 0 \
	"$(cat /sys/module/tcm_remote/refcnt)"
expect "target_core_mod's reference count is back to the baseline" "$BASE_TCM" \
	"$(cat /sys/module/target_core_mod/refcnt)"
check "tcm_remote unloads" rmmod tcm_remote
# the baseline without tcm_remote: its fabric registration is gone
BASE_TCM=$(cat /sys/module/target_core_mod/refcnt)
BASE_OBJ=$(settled_objects)
live_sites >/tmp/sites.base
check "unloading freed tcm_remote's fabric registration" \
	test "$BASE_OBJ" -lt "$(awk '{ s += $2 } END { print s + 0 }' /tmp/sites.before-unload)"

loaded=0
l=0
while [ $l -lt "$LOADS" ]; do
	if modprobe tcm_remote && mkdir "$T/remote" &&
		grep -q 'TCM Remote' "$T/remote/version" &&
		[ "$(cat /sys/module/tcm_remote/refcnt)" = 1 ] &&
		rmdir "$T/remote" && rmmod tcm_remote && [ ! -e /sys/module/tcm_remote ]; then
		loaded=$((loaded + 1))
	fi
	l=$((l + 1))
done
expect "load, fabric mkdir/rmdir, unload: $LOADS of $LOADS rounds clean" "$LOADS" "$loaded"
OBJ=$(settled_objects "$BASE_OBJ")
live_sites | diff /tmp/sites.base - | sed 's/^/#   sites: /'
expect "live objects back to the baseline after the load/unload rounds" "$BASE_OBJ" "$OBJ"
expect "target_core_mod's reference count is back to the baseline" "$BASE_TCM" \
	"$(cat /sys/module/target_core_mod/refcnt)"
run losetup -d /dev/loop0
finish
