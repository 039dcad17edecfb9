/* What the fuzz targets share: the libFuzzer entry points, and the input as a file a reader can open. */
#ifndef CONCUR_FUZZ_H
#define CONCUR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data to an in-memory regular file and returns a path that opens it ("/proc/self/fd/N"):
 * the readers under test take paths, as users give them. */
const char *fuzz_as_file(const uint8_t *data, size_t size);
/* data as a NUL-terminated string of at most max bytes (cut there), in a buffer of the target's. */
char *fuzz_as_string(const uint8_t *data, size_t size, size_t max);

#endif
