/*
 * The tiny executable that spawn/exec and spawn/posix-spawn start: it exits at once with the status
 * its one argument asks for, so that what is measured is starting a program, not running one. Built
 * static where the C library allows it (no dynamic loader to run), and without sanitizers.
 */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) & 0x7f : 0;
}
