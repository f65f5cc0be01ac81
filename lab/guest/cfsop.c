// SPDX-License-Identifier: GPL-2.0
/*
 * cfsop - one configfs operation, and the errno it got.
 *
 *   cfsop mkdir PATH | rmdir PATH | unlink PATH | read PATH
 *   cfsop get PATH | list PATH | readlink PATH   (read a value, list a
 *                                 directory, read a link; print nothing:
 *                                 the floor a tool that reads the tree back
 *                                 is measured against)
 *   cfsop write PATH VALUE        (one write(2) of VALUE, as echo -n would)
 *   cfsop symlink TARGET LINK
 *   cfsop create PATH             (open with O_CREAT)
 *   cfsop rmmod MODULE            (delete_module with O_NONBLOCK)
 *   cfsop -                       a batch: one operation a line on stdin,
 *                                 arguments separated by single spaces
 *
 * Prints OK or the symbolic errno (EINVAL, ...) and exits 0, so that a
 * shell test can compare the outcome with the one it expects.  `read`
 * prints the file's contents after OK.  A batch prints only the lines that
 * failed, with their outcome, and exits with the number of failures (at
 * most 100): it builds a whole tree in one process, which matters in a
 * guest where every fork is emulated.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct { int no; const char *name; } names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
	{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" }, { EXDEV, "EXDEV" }, { ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
	{ ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" },
	{ ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" }, { ENOSYS, "ENOSYS" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
};

static int quiet;	/* batch mode: say nothing of what succeeded */
static int failures;

static int outcome(int ret)
{
	size_t i;

	if (ret >= 0) {
		if (!quiet)
			puts("OK");
		return 0;
	}
	failures++;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].no == errno) {
			puts(names[i].name);
			return 0;
		}
	}
	printf("E%d\n", errno);
	return 0;
}

static int do_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return outcome(-1);
	n = write(fd, value, strlen(value));
	if (n >= 0 && (size_t)n != strlen(value)) {
		failures++;
		puts("SHORT");
		close(fd);
		return 0;
	}
	if (n >= 0 && close(fd) < 0)
		return outcome(-1);
	if (n < 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return outcome(n < 0 ? -1 : 0);
}

static int do_read(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return outcome(-1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return outcome(-1);
	buf[n] = '\0';
	puts("OK");
	fputs(buf, stdout);
	return 0;
}

static int do_get(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return outcome(-1);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n < 0 ? outcome(-1) : 0;
}

static int do_list(const char *path)
{
	DIR *d = opendir(path);

	if (!d)
		return outcome(-1);
	while (readdir(d))
		;
	closedir(d);
	return 0;
}

static int do_readlink(const char *path)
{
	char buf[4096];

	return readlink(path, buf, sizeof(buf)) < 0 ? outcome(-1) : 0;
}

static int one(int argc, char **argv);

static int batch(void)
{
	char line[8192];
	char *argv[5];
	int argc;

	quiet = 1;
	while (fgets(line, sizeof(line), stdin)) {
		char *p = line, *sp;

		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		argv[0] = "cfsop";
		argc = 1;
		/* op PATH [rest]: the last argument may hold spaces */
		while (argc < 3 && (sp = strchr(p, ' '))) {
			*sp = '\0';
			argv[argc++] = p;
			p = sp + 1;
		}
		argv[argc++] = p;
		argv[argc] = NULL;
		int before = failures;

		if (one(argc, argv) == 2)
			failures++;
		if (failures != before)
			fprintf(stdout, "  ^ failed: %s %s\n", argv[1],
				argc > 2 ? argv[2] : "");
	}
	return failures > 100 ? 100 : failures;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "-"))
		return batch();
	return one(argc, argv);
}

static int one(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	if (argc == 3 && !strcmp(op, "mkdir"))
		return outcome(mkdir(argv[2], 0755));
	if (argc == 3 && !strcmp(op, "rmdir"))
		return outcome(rmdir(argv[2]));
	if (argc == 3 && !strcmp(op, "unlink"))
		return outcome(unlink(argv[2]));
	if (argc == 3 && !strcmp(op, "read"))
		return do_read(argv[2]);
	if (argc == 3 && !strcmp(op, "get"))
		return do_get(argv[2]);
	if (argc == 3 && !strcmp(op, "list"))
		return do_list(argv[2]);
	if (argc == 3 && !strcmp(op, "readlink"))
		return do_readlink(argv[2]);
	if (argc == 3 && !strcmp(op, "create"))
		return outcome(open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0644));
	if (argc == 3 && !strcmp(op, "rmmod"))
		return outcome(syscall(SYS_delete_module, argv[2], O_NONBLOCK));
	if (argc == 4 && !strcmp(op, "write"))
		return do_write(argv[2], argv[3]);
	if (argc == 4 && !strcmp(op, "symlink"))
		return outcome(symlink(argv[2], argv[3]));
	fprintf(stderr, "usage: cfsop mkdir|rmdir|unlink|read|get|list|readlink|create|rmmod PATH\n"
		"       cfsop write PATH VALUE | cfsop symlink TARGET LINK\n");
	return 2;
}
