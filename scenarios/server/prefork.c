/*
 * server/prefork: `workers` processes forked up front, each blocking in accept on the one listener and
 * serving the connection it gets until the client closes it, then accepting again (Apache's prefork). A
 * process serves one connection at a time: a client that keeps more connections open than there are
 * processes waits for ever, so those points are not planned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

static int child(struct srv_state *s)
{
	char *buf = malloc(s->size);
	int rc = buf ? 0 : -ENOMEM;
	while (!rc) {
		char why[160];
		int fd = srv_accept_blocking(s, why, sizeof(why));
		if (fd < 0) {
			rc = fd == -ECANCELED ? 1 : fd; /* the listener shut down: done */
			break;
		}
		while ((rc = srv_serve_one(s, fd, buf)) == 1)
			;
		close(fd);
	}
	free(buf);
	return rc < 0 ? rc : 0;
}

static int serve(struct srv_state *s, char *why, size_t len) { return srv_fork_workers(s, child, why, len); }

static const struct srv_model model = {.serve = serve, .plannable = srv_one_conn_per_worker};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_prefork, "prefork", "workers processes forked up front, each blocking in accept and serving one "
	 "connection at a time", scenario);
