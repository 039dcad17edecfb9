/*
 * server/poll: one thread multiplexing every connection with poll(2), non-blocking reads and writes: the
 * whole set is handed to the kernel at every call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int serve_on(struct srv_state *s, int lfd, char *why, size_t len)
{
	struct srv_table t = {.listen_fd = lfd, .listening = true};
	struct pollfd *p = NULL;
	size_t cap = 0;
	int err = 0;
	while (!err && !srv_table_done(&t)) {
		if (cap < t.open + 2) {
			size_t want = 2 * (t.open + 2);
			struct pollfd *grown = realloc(p, want * sizeof(*p));
			if (!grown) {
				err = -ENOMEM;
				snprintf(why, len, "%zu poll entries: %s", want, strerror(ENOMEM));
				break;
			}
			p = grown, cap = want;
		}
		nfds_t n = 0;
		if (t.listening)
			p[n++] = (struct pollfd){lfd, POLLIN, 0};
		if (t.listening && !srv_stopping(s) && s->wake_fd >= 0) /* once stopped, no more: it stays readable */
			p[n++] = (struct pollfd){s->wake_fd, POLLIN, 0};
		for (size_t fd = 0; fd < t.cap; fd++)
			if (t.by_fd[fd])
				p[n++] = (struct pollfd){(int)fd, t.by_fd[fd]->replying ? POLLOUT : POLLIN, 0};
		int k = poll(p, n, 100);
		if (k < 0 && errno != EINTR) {
			err = -errno;
			snprintf(why, len, "poll: %s", strerror(errno));
		}
		for (nfds_t i = 0; i < n && k > 0 && !err; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == lfd) {
				err = srv_accept_all(s, &t, NULL, NULL, why, len);
				continue;
			}
			if (p[i].fd == s->wake_fd)
				continue; /* the stop: seen below */
			struct srv_conn *c = t.by_fd[p[i].fd];
			int rc = srv_conn_serve(s, &t, c, why, len);
			err = rc < 0 ? rc : 0;
		}
		if (srv_stopping(s) && t.listening)
			err = err ? err : srv_accept_all(s, &t, NULL, NULL, why, len); /* notices the shutdown */
	}
	srv_table_free(&t);
	free(p);
	return err;
}

static int serve(struct srv_state *s, char *why, size_t len) { return srv_serve_threads(s, serve_on, why, len); }

static const struct srv_model model = {.serve = serve};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_poll, "poll", "one thread multiplexing every connection with poll, non-blocking IO", scenario);
