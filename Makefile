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

check:
	tests/run.sh

clean:
	-$(MAKE) -C kmod KDIR="$(KDIR)" clean 2>/dev/null
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/Module.symvers kmod/modules.order
	rm -rf build

.PHONY: all module tool unit fuzz bench demo lab-cluster check clean
