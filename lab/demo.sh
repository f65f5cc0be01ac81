#!/bin/bash
# make demo: boot a Debian kernel in the lab and show, from an initiator's
# side, the ALUA picture before and after node B's port is mirrored on the
# remote fabric.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:-bookworm}
echo "tcm_remote demo: booting Debian $suite's kernel under qemu (no KVM needed; about a minute"
echo "the first time, for the downloads)..."
LAB_SHOW=1 lab/lab.sh run "$suite" lab/demo/remote-port.sh 2>&1 |
	grep -vE '^(ok|not ok) |^LAB_RESULT|^# '
