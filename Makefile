# tcm_remote: the remote LIO fabric for clustered SCSI targets, and
# liocluster, the tool that applies one cluster description to each node.
#
#   make            build kmod/tcm_remote.ko for the running kernel (KDIR= to override)
#                   and build/liocluster (needs libyaml-dev)
#   make tool       build/liocluster only
#   make unit       the cluster tool's unit tests (ASan/UBSan), on a temporary directory
#   make fuzz       fuzz the description parser (libFuzzer; FUZZ_SECONDS=60)
#   make bench      how the tool scales: plan, no-op plan, verify, RSS for
#                   4 nodes x 2 ports x {64..512} LUNs x 32 ACLs, against a
#                   minimal walk of the same tree
#   make demo       boot Debian 12's kernel in the lab and show the initiator's view
#   make lab-cluster two target nodes and an initiator (open-iscsi, multipathd): the
#                   picture without tcm_remote, then with it, and a failover
#   make check      style, unit tests, then every lab scenario on Debian's 5.10, 6.1,
#                   6.12 and newest kernels, and parity with the upstream module
#                   (SUITES="bookworm" PARITY_SUITE=none narrows it to one kernel)
#   make deb        the Debian packages tcm-remote-dkms and liocluster in build/deb/
#                   (installs its build dependencies; see docs/install.md)
#   make lab-install install both packages in a systemd guest, reboot, a 6.12
#                   kernel, an upgrade and a purge (lab/install.sh)
#   make lab-ha     Pacemaker drives the cluster: two target guests with corosync,
#                   pacemaker, sbd and the resource agent, an initiator with
#                   multipath and a checksumming writer; cold start, switchover,
#                   crash, rejoin, link split (lab/ha.sh)
#   make stress     the random configfs stress (lab/guest/stress.c) with SEEDS=N seeds
#                   (default 3) on every kernel of the matrix against our module, and
#                   on trixie (6.12) against upstream's too; boots with slub_debug=FZPU;
#                   prints a table and fails on any finding against our module
#                   (STRESS_SUITES, STRESS_UPSTREAM=none, STRESS_SEQS, STRESS_OPS narrow it)
#   make clean      remove build products (the lab's download cache stays)
#
# The lab installs what it needs with apt and downloads Debian's kernels
# into lab/cache; see README.md.

SUITE ?= bookworm
export SUITES PARITY_SUITE
KDIR ?= /lib/modules/$(shell uname -r)/build

CC ?= cc
WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Ilib
LIB_SRC := $(wildcard lib/*.c)
LIB_HDR := lib/liocluster.h lib/internal.h
CLI_SRC := cli/liocluster.c cli/output.c
CLI_HDR := cli/output.h
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

all: module tool

module:
	$(MAKE) -C kmod KDIR="$(KDIR)"

tool: build/liocluster

build/libliocluster.a: $(LIB_SRC) $(LIB_HDR)
	@mkdir -p build/obj
	for f in $(LIB_SRC); do \
		$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -c $$f -o build/obj/$$(basename $$f .c).o || exit 1; \
	done
	ar rcs $@ $(patsubst lib/%.c,build/obj/%.o,$(LIB_SRC))

build/liocluster: $(CLI_SRC) $(CLI_HDR) build/libliocluster.a
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) -Icli -o $@ $(CLI_SRC) build/libliocluster.a -lyaml

# unit tests: the library and the CLI on the stand-in configfs
# (tests/standin), under ASan and UBSan
STANDIN := tests/standin/standin.c tests/standin/standin.h
build/unit-tests: $(wildcard tests/unit/*.c tests/unit/*.h) $(STANDIN) $(LIB_SRC) $(LIB_HDR) \
		build/liocluster-standin build/standin
	@mkdir -p build
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -Itests/standin -o $@ tests/unit/*.c tests/standin/standin.c $(LIB_SRC) -lyaml

# the CLI on a stand-in (LIOCLUSTER_STANDIN=1), and a shell tool for it
build/liocluster-standin: $(CLI_SRC) $(CLI_HDR) $(STANDIN) $(LIB_SRC) $(LIB_HDR)
	@mkdir -p build
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -Icli -Itests/standin -o $@ $(CLI_SRC) tests/standin/standin.c $(LIB_SRC) -lyaml

build/standin: tests/standin/tool.c $(STANDIN) $(LIB_SRC) $(LIB_HDR)
	@mkdir -p build
	$(CC) $(WARN) -O1 -g $(SAN) $(CPPFLAGS) -Itests/standin -o $@ tests/standin/tool.c tests/standin/standin.c $(LIB_SRC) -lyaml

unit: build/unit-tests
	build/unit-tests

# the description parser under libFuzzer
FUZZ_SECONDS ?= 60
build/fuzz-desc: tests/fuzz/fuzz_desc.c $(LIB_SRC) $(LIB_HDR)
	@mkdir -p build
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) -o $@ tests/fuzz/fuzz_desc.c $(LIB_SRC) -lyaml

fuzz: build/fuzz-desc
	@mkdir -p build/fuzz-corpus
	cp tests/unit/data/*.yaml build/fuzz-corpus/
	build/fuzz-desc -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -artifact_prefix=build/ \
		-dict=tests/fuzz/yaml.dict build/fuzz-corpus

# how liocluster scales, on the host: see tests/bench/bench.c
build/bench: tests/bench/bench.c $(STANDIN) $(LIB_SRC) $(LIB_HDR)
	@mkdir -p build
	$(CC) $(WARN) -O2 -g $(CPPFLAGS) -Itests/standin -o $@ tests/bench/bench.c tests/standin/standin.c $(LIB_SRC) -lyaml

bench: build/bench
	build/bench

demo:
	lab/demo.sh $(SUITE)

lab-cluster:
	SUITE=$(SUITE) lab/cluster.sh

deb:
	debian/make-deb.sh build/deb

lab-install:
	lab/install.sh

lab-ha:
	lab/ha.sh

check:
	tests/run.sh

# the random stress; upstream's kernel messages are its result, printed but
# not counted against ours
SEEDS ?= 3
STRESS_SUITES ?= bullseye bookworm trixie sid
STRESS_UPSTREAM ?= trixie
export SEEDS STRESS_SEQS STRESS_OPS STRESS_FIRST STRESS_K
stress:
	@mkdir -p build; : >build/stress.results; : >build/stress.kmsgs; rc=0; bad=; \
	for s in $(STRESS_SUITES); do \
		lab/lab.sh stress $$s 2>&1 | tee build/stress-$$s.log; \
		r=$$(grep '^STRESS_RESULT ' build/stress-$$s.log | tail -n1); \
		[ -n "$$r" ] || r="STRESS_RESULT suite=$$s kernel=? module=ours seeds=0 operations=0 kernel_messages=? violations=? lab_rc=2"; \
		echo "$$r" >>build/stress.results; \
		grep '^stress: kernel message' build/stress-$$s.log >>build/stress.kmsgs; \
		case "$$r" in *" lab_rc=0") ;; *) rc=1; bad="$$bad $$s" ;; esac; \
		if [ "$$s" = "$(STRESS_UPSTREAM)" ]; then \
			lab/lab.sh stress $$s upstream 2>&1 | tee build/stress-$$s-upstream.log; \
			grep '^STRESS_RESULT ' build/stress-$$s-upstream.log | tail -n1 >>build/stress.results; \
			grep '^stress: kernel message' build/stress-$$s-upstream.log >>build/stress.kmsgs; \
		fi; \
	done; \
	echo; echo "Stress (SEEDS=$(SEEDS))"; \
	printf '%-26s %-9s %-6s %-10s %-16s %-10s %-9s %s\n' kernel module seeds operations kernel-messages violations teardown seconds; \
	sed 's/^STRESS_RESULT //' build/stress.results | while read -r l; do \
		v() { echo "$$l" | tr ' ' '\n' | sed -n "s/^$$1=//p"; }; \
		printf '%-26s %-9s %-6s %-10s %-16s %-10s %-9s %s\n' "$$(v kernel)" "$$(v module)" "$$(v seeds)" \
			"$$(v operations)" "$$(v kernel_messages)" "$$(v violations)" "$$(v teardown_failures)" "$$(v seconds)"; \
	done; \
	cat build/stress.kmsgs; \
	up=$$(grep 'module=upstream' build/stress.results | sed -n 's/.* kernel_messages=\([0-9?]*\).*/\1/p'); \
	echo "stress: ours: $$([ $$rc = 0 ] && echo "clean on $(STRESS_SUITES)" || echo "FINDINGS on$$bad (see build/stress-*.log)")$${up:+; upstream on $(STRESS_UPSTREAM): $$up kernel message(s), its result, not counted}"; \
	exit $$rc

clean:
	-$(MAKE) -C kmod KDIR="$(KDIR)" clean 2>/dev/null
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/Module.symvers kmod/modules.order
	rm -rf build

.PHONY: all module tool unit fuzz bench demo lab-cluster deb lab-install lab-ha check clean
