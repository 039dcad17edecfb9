/*
 * io/file: each task writes `size` bytes to a file of its own, optionally
 * fsyncs it, reads it back and hashes what it read, then removes it. The
 * files live in a private directory made at setup (under $TMPDIR, else /tmp)
 * and removed with everything in it at teardown, also after a failed or
 * interrupted run. Regular files cannot be waited on, so in coroutines these
 * are the plain calls too (as in gevent): the page cache answers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdbool.h>

#include "work/workload.h"

struct file_ctx {
	size_t size;
	bool sync;
	char dir[256];
};

static uint64_t file_task(const void *p, uint64_t i)
{
	const struct file_ctx *c = p;
	char path[300];
	snprintf(path, sizeof(path), "%s/%llu", c->dir, (unsigned long long)i);
	unsigned char *buf = malloc(c->size); /* not on the stack: coroutine stacks are small */
	uint64_t h = 0xcbf29ce484222325ull;
	int fd = buf ? open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	if (fd < 0) {
		free(buf);
		return 0; /* a failure shows as a checksum mismatch, with the cell's error naming it */
	}
	for (size_t k = 0; k < c->size; k++)
		buf[k] = (unsigned char)(i * 31 + k);
	bool ok = write(fd, buf, c->size) == (ssize_t)c->size && (!c->sync || fsync(fd) == 0);
	memset(buf, 0, c->size);
	ok = ok && pread(fd, buf, c->size, 0) == (ssize_t)c->size;
	close(fd);
	unlink(path);
	for (size_t k = 0; ok && k < c->size; k++)
		h = (h ^ buf[k]) * 0x100000001b3ull;
	free(buf);
	return ok ? h : 0;
}

static int file_setup(const int64_t *params, void **ctx)
{
	struct file_ctx *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	const char *tmp = getenv("TMPDIR");
	snprintf(c->dir, sizeof(c->dir), "%s/concur-file-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(c->dir)) {
		int e = errno;
		free(c);
		return -e;
	}
	c->size = (size_t)params[0];
	c->sync = params[1] != 0;
	*ctx = c;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void file_teardown(void *p)
{
	struct file_ctx *c = p;
	nftw(c->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS); /* what a crashed task left, then the directory */
	free(c);
}

static double file_ns(const int64_t *params) { return 20000 + (double)params[0] * 0.5 + (params[1] ? 2e6 : 0); }

static const struct wl_param file_params[] = {
	{"size", WL_BYTES, 64 << 10, 1, 1LL << 30, "bytes written and read back per task"},
	{"fsync", WL_INT, 0, 0, 1, "1: fsync each file before reading it back"},
	{0},
};

const struct wl_desc wl_io_file = {
	.name = "file",
	.cls = WL_IO,
	.summary = "write size bytes to a private temporary file, fsync optionally, read back, remove",
	.params = file_params,
	.default_tasks = 100,
	.smoke = (const int64_t[]){4 << 10, 0},
	.setup = file_setup,
	.teardown = file_teardown,
	.task = file_task,
	.task_ns = file_ns,
	.fds_each = 1,
	.sweep = "size=4K,64K,1M",
};
