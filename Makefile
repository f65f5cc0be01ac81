# tcm_remote: the remote LIO fabric for clustered SCSI targets.
#
#   make            build kmod/tcm_remote.ko for the running kernel (KDIR= to override)
#   make demo       boot Debian 12's kernel in the lab and show the initiator's view
#   make check      style checks, then every lab scenario on Debian's 5.10, 6.1, 6.12
#                   and newest kernels, and parity with the upstream module
#                   (SUITES="bookworm" narrows the matrix)
#   make clean      remove build products (the lab's download cache stays)
#
# The lab installs what it needs with apt and downloads Debian's kernels
# into lab/cache; see README.md.

SUITE ?= bookworm
export SUITES PARITY_SUITE
KDIR ?= /lib/modules/$(shell uname -r)/build

all: module

module:
	$(MAKE) -C kmod KDIR="$(KDIR)"

demo:
	lab/demo.sh $(SUITE)

check:
	tests/run.sh

clean:
	-$(MAKE) -C kmod KDIR="$(KDIR)" clean 2>/dev/null
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/Module.symvers kmod/modules.order

.PHONY: all module demo check clean
