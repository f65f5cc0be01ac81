#!/bin/bash
# A target node of the lab cluster: configure LIO from the cluster
# description with liocluster, then take commands from the initiator on
# TCP port 7000 (a shell; this is a lab) until it says stop.
NODE=$1
DESC=/lab/cluster.yaml
[ -f /lab/mode-own-only ] && DESC=/lab/own-only-$NODE.yaml
for m in target_core_mod target_core_iblock iscsi_target_mod tcm_remote; do
	modprobe $m
done
echo "# $NODE: liocluster -c $DESC -n $NODE apply"
liocluster -c "$DESC" -n "$NODE" apply || echo "LAB: apply failed on $NODE"
liocluster -c "$DESC" -n "$NODE" status
socat TCP-LISTEN:7000,reuseaddr,fork EXEC:/bin/bash,stderr &
echo "LAB: $NODE ready"
i=0
while [ ! -e /tmp/lab-stop ] && [ $i -lt 1200 ]; do
	sleep 0.5
	i=$((i + 1))
done
echo "LAB: $NODE stopping"
