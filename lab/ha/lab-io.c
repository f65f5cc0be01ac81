// SPDX-License-Identifier: GPL-2.0
/*
 * lab-io: the HA lab's initiator-side writer and checker.
 *
 *   lab-io write DEV BLOCKS FIRST STATE   write 4 KiB blocks with O_DIRECT,
 *        sequence numbers FIRST, FIRST+1, ... to block (seq % BLOCKS), until
 *        SIGTERM; every 100 ms STATE holds "next-seq errors longest-ms"
 *   lab-io verify DEV BLOCKS COUNT        read every block back: block j must
 *        hold the last sequence number below COUNT that maps to it (or zeros),
 *        intact
 *
 * A block: magic, sequence number, block index, checksum of the rest, then
 * bytes derived from the sequence number.  A write that fails is counted and
 * retried; the writer never skips a sequence number, so after it stops
 * cleanly every block's expected content is known.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BS 4096
#define MAGIC 0x314f494148424c41ULL /* "ALBHAIO1" */

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint64_t sum(const unsigned char *b)
{
	uint64_t h = 1469598103934665603ULL;
	int i;

	for (i = 32; i < BS; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h ^ ((const uint64_t *)b)[1];
}

static void fill(unsigned char *b, uint64_t seq, uint64_t idx)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL + 1, *w = (uint64_t *)b;
	int i;

	for (i = 4; i < BS / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
	w[0] = MAGIC;
	w[1] = seq;
	w[2] = idx;
	w[3] = sum(b);
}

static void put_state(int fd, uint64_t next, uint64_t errors, uint64_t longest)
{
	char s[96];
	int n = snprintf(s, sizeof(s), "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", next, errors, longest);

	if (pwrite(fd, s, n, 0) == n)
		(void)ftruncate(fd, n);
}

static int do_write(const char *dev, uint64_t blocks, uint64_t seq, const char *state)
{
	unsigned char *b;
	uint64_t errors = 0, longest = 0, last = now_ms(), t0, t1;
	int fd, sfd;

	fd = open(dev, O_WRONLY | O_DIRECT);
	sfd = open(state, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || sfd < 0 || posix_memalign((void **)&b, BS, BS)) {
		perror("lab-io write");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	put_state(sfd, seq, errors, longest);
	while (!stop) {
		fill(b, seq, seq % blocks);
		t0 = now_ms();
		if (pwrite(fd, b, BS, (off_t)(seq % blocks) * BS) != BS) {
			errors++;
			fprintf(stderr, "lab-io: write of seq %" PRIu64 " failed: %s\n", seq, strerror(errno));
			usleep(100000);
			continue;
		}
		t1 = now_ms();
		if (t1 - t0 > longest)
			longest = t1 - t0;
		if (t1 - t0 >= 1000)
			fprintf(stderr, "lab-io: seq %" PRIu64 " took %" PRIu64 " ms\n", seq, t1 - t0);
		seq++;
		if (t1 - last >= 100) {
			put_state(sfd, seq, errors, longest);
			last = t1;
		}
	}
	put_state(sfd, seq, errors, longest);
	return 0;
}

static int do_verify(const char *dev, uint64_t blocks, uint64_t count)
{
	unsigned char *b;
	uint64_t j, want, *w, bad = 0, written = 0;
	int fd, zero, i;

	fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0 || posix_memalign((void **)&b, BS, BS)) {
		perror("lab-io verify");
		return 2;
	}
	for (j = 0; j < blocks; j++) {
		if (pread(fd, b, BS, (off_t)j * BS) != BS) {
			printf("block %" PRIu64 ": read failed: %s\n", j, strerror(errno));
			bad++;
			continue;
		}
		w = (uint64_t *)b;
		if (count > j) {
			want = j + (count - 1 - j) / blocks * blocks;
			written++;
			if (w[0] != MAGIC || w[1] != want || w[2] != j || w[3] != sum(b)) {
				if (bad < 10)
					printf("block %" PRIu64 ": want seq %" PRIu64 ", found magic %s seq %" PRIu64
					       " index %" PRIu64 " checksum %s\n", j, want,
					       w[0] == MAGIC ? "ok" : "BAD", w[1], w[2], w[3] == sum(b) ? "ok" : "BAD");
				bad++;
			}
		} else {
			for (zero = 1, i = 0; i < BS; i++)
				zero &= b[i] == 0;
			if (!zero) {
				if (bad < 10)
					printf("block %" PRIu64 ": never written, not zero\n", j);
				bad++;
			}
		}
	}
	printf("verified %" PRIu64 " blocks (%" PRIu64 " written, sequence 0..%" PRIu64 "): %" PRIu64 " bad\n",
	       blocks, written, count ? count - 1 : 0, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "write"))
		return do_write(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0), argv[5]);
	if (argc == 5 && !strcmp(argv[1], "verify"))
		return do_verify(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: lab-io write DEV BLOCKS FIRST STATE | lab-io verify DEV BLOCKS COUNT\n");
	return 2;
}
