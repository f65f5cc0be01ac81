# Helpers for make lab-ha, put in front of every script lab/ha.sh sends a
# guest through the agent (bash, as root).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PAGER=cat SYSTEMD_PAGER=cat DEBIAN_FRONTEND=noninteractive
T=/sys/kernel/config/target
SBD=/dev/disk/by-id/virtio-sbd
IQN_A=iqn.2026-12.com.example:ha.node-a
IQN_B=iqn.2026-12.com.example:ha.node-b

# --- on a target node ---------------------------------------------------------

# "NODE ROLE" for every instance of the clone (ROLE Promoted or Unpromoted)
cl_locate() {
	crm_resource --locate --resource lio-clone 2>/dev/null | awk '{
		for (i = 1; i <= NF; i++) if ($i == "on:") {
			r = $(i + 2); if (r == "" ) r = "Unpromoted"; if (r == "Master") r = "Promoted"
			print $(i + 1), r } }'
}
cl_promoted() { cl_locate | awk '$2 == "Promoted" { print $1 }' | xargs; }
cl_unpromoted() { cl_locate | awk '$2 == "Unpromoted" { print $1 }' | xargs; }
# the nodes crm_mon lists online
cl_online() { crm_mon -1 2>/dev/null | sed -n 's/.*Online: \[ *\(.*\) *\]$/\1/p' | head -n1 | xargs; }
# NODE's fencing record, one word that changes with every successful
# fencing: the fencer's history lines for it and the time it was last fenced
fenced_count() {
	echo "$(stonith_admin --history "$1" 2>/dev/null | grep -c "reboot of $1 successful\|able to reboot node $1")@$(stonith_admin --last "$1" 2>/dev/null | sed -n 's/.*fenced at: *//p' | tr -s ' ' _)"
}
# one line for the host's polls: online, promoted, unpromoted, fence counts
cl_poll() {
	echo "online=$(cl_online | tr ' ' ,) promoted=$(cl_promoted | tr ' ' ,) unpromoted=$(cl_unpromoted | tr ' ' ,) fenced_a=$(fenced_count node-a) fenced_b=$(fenced_count node-b)"
}

# --- on the initiator -----------------------------------------------------------

# the sd device of the session to target IQN
disk_of() {
	iscsiadm -m session -P 3 2>/dev/null | awk -v t="$1" '
		/^Target: / { on = ($2 == t) }
		on && /Attached scsi disk/ { print $4; exit }'
}
# the session's state to target IQN (LOGGED_IN, FAILED, ...)
session_of() {
	iscsiadm -m session -P 3 2>/dev/null | awk -v t="$1" '
		/^Target: / { on = ($2 == t) }
		on && /iSCSI Session State:/ { print $4; exit }'
}
# sectors written (7) or read (3) through sd device $1
sectors() { awk -v f="${2:-7}" '{ print $f }' "/sys/block/$1/stat"; }
# multipath's group of a path: "prio=N status=S" and the path's states
mp_path() {
	multipath -ll 2>/dev/null | awk -v d="$1" '/policy=/ { p = $0; sub(/.*prio=/, "prio=", p) }
		$0 ~ " " d " " { s = $0; sub(/.* [0-9]+:[0-9]+ +/, "", s); print p " path=" s; exit }' | tr -s ' '
}
MAP=/dev/mapper/mpatha
BLOCKS=4096
