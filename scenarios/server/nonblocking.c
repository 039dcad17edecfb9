/*
 * server/nonblocking: one thread trying every connection again and again with non-blocking reads and
 * writes, never waiting for readiness: it answers as fast as the multiplexing servers and burns a CPU
 * while nothing comes, which its CPU per request shows (why nobody serves this way).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "server.h"

static int serve_on(struct srv_state *s, int lfd, char *why, size_t len)
{
	struct srv_table t = {.listen_fd = lfd, .listening = true};
	int err = 0;
	while (!err && !srv_table_done(&t)) {
		err = srv_accept_all(s, &t, NULL, NULL, why, len);
		for (size_t fd = 0; fd < t.cap && !err; fd++) {
			struct srv_conn *c = t.by_fd[fd];
			if (!c)
				continue;
			int rc = srv_conn_serve(s, &t, c, why, len);
			err = rc < 0 ? rc : 0;
		}
	}
	srv_table_free(&t);
	return err;
}

static int serve(struct srv_state *s, char *why, size_t len) { return srv_serve_threads(s, serve_on, why, len); }

static const struct srv_model model = {.serve = serve};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_nonblocking, "nonblocking", "one thread polling every connection with non-blocking reads in a "
	 "busy loop, never waiting", scenario);
