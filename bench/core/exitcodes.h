/* concur's exit codes (see STYLE.md): the CLI alone chooses them. */
#ifndef CONCUR_EXITCODES_H
#define CONCUR_EXITCODES_H

enum cc_exit {
	CC_EXIT_OK = 0,
	CC_EXIT_FAIL = 1,        /* a failure, or a regression found */
	CC_EXIT_USAGE = 2,       /* bad flags or input */
	CC_EXIT_NO_RESOURCE = 3, /* skipped: a resource is missing */
	CC_EXIT_UNSUPPORTED = 4, /* not supported here */
	CC_EXIT_NOT_WRITTEN = 5, /* run: measured, but the results file could not be written (a full disk) */
	CC_EXIT_INTERRUPTED = 130,
};

#endif
