// SPDX-License-Identifier: GPL-2.0
/*
 * lab-rtpg: REPORT TARGET PORT GROUPS (SPC-4 6.36) through one SCSI device,
 * decoded to one line: "1=ao 2=sb" (group id = asymmetric access state:
 * ao active/optimized, an active/non-optimized, sb standby, un unavailable,
 * lba, off offline, tr transitioning), followed by the ports of each group
 * ("ports 1:1 2:2", group:RTPI).
 *
 *   lab-rtpg DEV                 once; exit 1 if the command failed
 *   lab-rtpg DEV MS OUT          every MS milliseconds until SIGTERM, each
 *                                answer appended to OUT with the time
 *                                (CLOCK_MONOTONIC, ms): "T 1=ao 2=sb" or
 *                                "T error ..."
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static const char *aas(int s)
{
	static const char *n[16] = { "ao", "an", "sb", "un", "4", "5", "6", "7",
				     "8", "9", "10", "11", "12", "13", "off", "tr" };
	return n[s & 15];
}

/* one RTPG; its decoded answer in out; 0 on success */
static int rtpg(int fd, char *out, size_t len)
{
	unsigned char cdb[12] = { 0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0 };
	unsigned char buf[4096], sense[32];
	char ports[1024] = "";
	struct sg_io_hdr io;
	unsigned int n, o, k, cnt;
	size_t w = 0, p = 0;

	memset(&io, 0, sizeof(io));
	memset(buf, 0, sizeof(buf));
	io.interface_id = 'S';
	io.dxfer_direction = SG_DXFER_FROM_DEV;
	io.cmd_len = sizeof(cdb);
	io.cmdp = cdb;
	io.dxferp = buf;
	io.dxfer_len = sizeof(buf);
	io.sbp = sense;
	io.mx_sb_len = sizeof(sense);
	io.timeout = 5000;
	if (ioctl(fd, SG_IO, &io) < 0) {
		snprintf(out, len, "error ioctl");
		return 1;
	}
	if (io.status || io.host_status || io.driver_status) {
		snprintf(out, len, "error status=0x%x host=0x%x driver=0x%x sense=%x/%02x/%02x", io.status,
			 io.host_status, io.driver_status, io.sb_len_wr > 2 ? sense[2] & 15 : 0,
			 io.sb_len_wr > 12 ? sense[12] : 0, io.sb_len_wr > 13 ? sense[13] : 0);
		return 1;
	}
	n = (unsigned)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	out[0] = 0;
	for (o = 4; o + 8 <= n + 4; o += 8 + cnt * 4) {
		cnt = buf[o + 7];
		w += snprintf(out + w, len - w, "%s%u=%s", w ? " " : "", buf[o + 2] << 8 | buf[o + 3], aas(buf[o]));
		for (k = 0; k < cnt && o + 12 + k * 4 <= n + 4 && p < sizeof(ports) - 16; k++)
			p += snprintf(ports + p, sizeof(ports) - p, " %u:%u", buf[o + 2] << 8 | buf[o + 3],
				      buf[o + 8 + k * 4 + 2] << 8 | buf[o + 8 + k * 4 + 3]);
		if (w >= len)
			break;
	}
	if (w < len)
		snprintf(out + w, len - w, " ports%s", ports);
	return 0;
}

int main(int argc, char **argv)
{
	char line[2048];
	struct timespec t;
	FILE *f;
	int fd, i, rc;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: lab-rtpg DEV [MS OUT]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (argc == 2) {
		/* past unit attentions, as an initiator would */
		for (i = 0; i < 5 && (rc = rtpg(fd, line, sizeof(line))); i++)
			;
		puts(line);
		return rc ? 1 : 0;
	}
	f = fopen(argv[3], "a");
	if (!f) {
		perror(argv[3]);
		return 2;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	signal(SIGTERM, on_term);
	while (!stop) {
		rtpg(fd, line, sizeof(line));
		clock_gettime(CLOCK_MONOTONIC, &t);
		fprintf(f, "%ld %s\n", t.tv_sec * 1000 + t.tv_nsec / 1000000, line);
		usleep(atoi(argv[2]) * 1000);
	}
	return 0;
}
