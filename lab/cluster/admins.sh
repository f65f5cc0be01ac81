#!/bin/bash
# The admins' lab (issue "liocluster among real admins"), one guest booted
# from the cluster lab's Debian root: targetcli (python3-rtslib-fb) makes a
# fileio backstore and an iSCSI target with a LUN and an ACL, as an admin
# would; liocluster runs beside it as node-a of /lab/admins.yaml.  Every
# liocluster step must leave targetcli's objects byte for byte; targetcli ls
# works before and after; two writers at once end as the last one's
# description; and a targetcli-made setup imported by liocluster applies
# back with no operation.
. /lab/guest.sh
T=/sys/kernel/config/target
LC="liocluster -c /lab/admins.yaml --secrets /etc/liocluster/secrets -n node-a"
TC_IQN=iqn.2003-01.org.linux-iscsi.admins:tc
TC_INIT=iqn.1994-05.com.redhat:tc-client

for m in target_core_mod target_core_file target_core_iblock iscsi_target_mod tcm_loop tcm_remote sd_mod sg; do
	modprobe $m
done
ip link set lo up
# targetcli asks the system bus for tcmu-runner's handlers, as on any node
mkdir -p /run/dbus
dbus-uuidgen --ensure
dbus-daemon --system --fork
mkdir -p /etc/liocluster /etc/rtslib-fb-target
install -m 0600 /lab/admins.secrets /etc/liocluster/secrets

echo "# targetcli makes a backstore, a target with a LUN and an ACL"
run truncate -s 16M /tmp/tc.img
run targetcli /backstores/fileio create tcdisk /tmp/tc.img 16M
run targetcli /iscsi create $TC_IQN
run targetcli /iscsi/$TC_IQN/tpg1/luns create /backstores/fileio/tcdisk
run targetcli /iscsi/$TC_IQN/tpg1/acls create $TC_INIT
targetcli ls 2>&1 | sed 's/^/#   before: /'
check "targetcli ls works" targetcli ls

# targetcli's objects, byte for byte: every directory and link, and every
# readable attribute, below its backstore's HBA and its target
theirs() {
	for d in $T/core/fileio_*/tcdisk $T/iscsi/$TC_IQN; do
		find "$d" | sort
		find "$d" -type l | sort | while read -r l; do echo "$l -> $(readlink "$l")"; done
		find "$d" -type f -perm -u=r | sort | while read -r f; do
			case $f in */statistics/*|*/info|*/dynamic_sessions) continue ;; esac
			echo "$f = $(head -c 200 "$f" 2>/dev/null | tr '\n' ' ')"
		done
	done
}
THEIRS=$(theirs)
echo "# targetcli's objects: $(echo "$THEIRS" | wc -l) lines of paths, links and values"
same() { expect "$1: targetcli's objects are byte for byte as they were" "$(echo "$THEIRS" | md5sum)" "$(theirs | md5sum)"; }

echo "# liocluster beside it"
$LC -v plan 2>&1 | tail -n 12 | sed 's/^/#   plan: /'
check "plan lists targetcli's objects as left alone" sh -c "$LC plan | grep -q 'fileio_0/tcdisk\|$TC_IQN'"
check "apply" $LC apply
same "apply"
expect "a re-apply runs no operation" "node-a: 0 operations" "$($LC apply | sed 's/ in .*//')"
same "re-apply"
OUT=$(liocluster -c /lab/admins-other.yaml --secrets /etc/liocluster/secrets -n node-a --inject-failure 2 apply 2>&1)
expect "an injected failure: apply exits 4" 4 $?
echo "# $OUT"
same "a failure and its rollback"
check "a shrunk description: what goes is liocluster's only" liocluster -c /lab/admins-small.yaml --secrets /etc/liocluster/secrets -n node-a apply
same "prune"
check "set-state" liocluster -c /lab/admins-small.yaml -n node-a set-state grp-a standby
same "set-state"
check "the full description again" $LC apply
expect "verify" "node-a: matches the description" "$($LC verify 2>&1)"
targetcli ls 2>&1 | sed 's/^/#   after: /'
check "targetcli ls works beside liocluster's objects" targetcli ls
check "targetcli still shows its own target" sh -c "targetcli ls | grep -q '$TC_IQN'"

echo "# two writers at once, 10 rounds: both succeed, the tree is exactly one description"
OTHER="liocluster -c /lab/admins-other.yaml --secrets /etc/liocluster/secrets -n node-a"
wrong=0
r=0
while [ $r -lt 10 ]; do
	rm -f /tmp/ok
	($LC apply >/dev/null 2>&1 && echo A >>/tmp/ok) &
	($OTHER apply >/dev/null 2>&1 && echo B >>/tmp/ok) &
	wait
	va=0; vb=0
	$LC verify >/dev/null 2>&1 && va=1
	$OTHER verify >/dev/null 2>&1 && vb=1
	# the one that held the lock last is the one the tree matches
	[ "$(wc -l </tmp/ok)" = 2 ] && [ $((va + vb)) = 1 ] || wrong=$((wrong + 1))
	r=$((r + 1))
done
expect "10 rounds of two concurrent applies: both succeed, the tree is one description" 0 "$wrong"
same "concurrent applies"

echo "# a setup made with targetcli comes under liocluster"
check "clear what liocluster made" $LC clear
same "clear"
liocluster import -n node-a --cluster tc --secrets-out /tmp/tc.secrets >/tmp/tc.yaml 2>/tmp/import.err
expect "import" 0 $?
sed 's/^/#   import: /' /tmp/tc.yaml
sed 's/^/#   import (stderr): /' /tmp/import.err
check "the import is a valid description" liocluster -c /tmp/tc.yaml check
check "apply --adopt of the import" sh -c "liocluster -c /tmp/tc.yaml --secrets /tmp/tc.secrets -n node-a --adopt apply >/tmp/adopt.out 2>&1"
cat /tmp/adopt.out | sed 's/^/#   /'
check "adopting it ran no configfs operation" grep -q '^node-a: 0 operations' /tmp/adopt.out
expect "verify the import" "node-a: matches the description" "$(liocluster -c /tmp/tc.yaml --secrets /tmp/tc.secrets -n node-a verify 2>&1)"
expect "a re-apply runs no operation" "node-a: 0 operations" \
	"$(liocluster -c /tmp/tc.yaml --secrets /tmp/tc.secrets -n node-a apply | sed 's/ in .*//')"
same "import and adopt"
check "targetcli ls works after" targetcli ls
