/*
 * Runs a fuzz target over files and directories of inputs without libFuzzer: the committed corpus
 * replayed by every build's tests (gcc, the sanitizer builds), where libFuzzer is not linked.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 1 << 16, n = 0, got;
	uint8_t *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0)
		if ((n += got) == cap && !(buf = realloc(buf, cap *= 2)))
			break;
	fclose(f);
	if (!buf) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int replay(const char *path, unsigned *count)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		++*count;
		return replay_file(path);
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort), rc = n < 0 ? -1 : 0;
	for (int k = 0; k < n; k++) {
		if (names[k]->d_name[0] != '.' && !rc) {
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, names[k]->d_name);
			rc = replay(sub, count);
		}
		free(names[k]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	/* what the readers print is not the point (stderr stays: a sanitizer's report goes there) */
	if (!freopen("/dev/null", "w", stdout))
		return 1;
	LLVMFuzzerInitialize(&argc, &argv);
	unsigned count = 0;
	for (int k = 1; k < argc; k++)
		if (replay(argv[k], &count))
			return 1;
	fprintf(stderr, "replay: %u inputs, no crash\n", count);
	return count ? 0 : 1;
}
