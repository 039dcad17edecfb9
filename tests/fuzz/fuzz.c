/* The fuzz targets' helpers (see fuzz.h). */
#define _GNU_SOURCE
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *fuzz_as_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		if ((fd = memfd_create("fuzz-input", MFD_CLOEXEC)) < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz input");
		abort();
	}
	return path;
}

char *fuzz_as_string(const uint8_t *data, size_t size, size_t max)
{
	static char *buf;
	static size_t cap;
	size_t n = size < max ? size : max;
	if (n + 1 > cap) {
		free(buf);
		cap = n + 1;
		if (!(buf = malloc(cap)))
			abort();
	}
	memcpy(buf, data, n);
	buf[n] = 0;
	return buf;
}
