/*
 * server/select: one thread multiplexing every connection with select(2), non-blocking reads and writes.
 * select's sets hold descriptors below FD_SETSIZE (1024): a point with more connections than that is not
 * planned, and a descriptor that comes out at or above it fails the cell instead of writing past a set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>

#include "server.h"

/* Descriptors the server process has besides its connections (standard ones, the listener, the harness'). */
#define OTHER_FDS 32

static int check_fd(void *arg, struct srv_conn *c)
{
	(void)arg;
	return c->fd < FD_SETSIZE ? 0 : -EMFILE;
}

static int serve_on(struct srv_state *s, int lfd, char *why, size_t len)
{
	struct srv_table t = {.listen_fd = lfd, .listening = true};
	int err = lfd < FD_SETSIZE ? 0 : -EMFILE;
	if (err)
		snprintf(why, len, "the listener's descriptor %d is beyond select's FD_SETSIZE (%d)", lfd, FD_SETSIZE);
	while (!err && !srv_table_done(&t)) {
		fd_set r, w;
		FD_ZERO(&r);
		FD_ZERO(&w);
		int top = -1;
		if (t.listening)
			FD_SET(lfd, &r), top = lfd;
		if (t.listening && !srv_stopping(s) && s->wake_fd >= 0 && s->wake_fd < FD_SETSIZE) /* the stop wakes it */
			FD_SET(s->wake_fd, &r), top = s->wake_fd > top ? s->wake_fd : top;
		for (size_t fd = 0; fd < t.cap; fd++)
			if (t.by_fd[fd]) {
				FD_SET((int)fd, t.by_fd[fd]->replying ? &w : &r);
				top = (int)fd > top ? (int)fd : top;
			}
		struct timeval tv = {0, 100000};
		int k = select(top + 1, &r, &w, NULL, &tv);
		if (k < 0 && errno != EINTR) {
			err = -errno;
			snprintf(why, len, "select: %s", strerror(errno));
		}
		if (k > 0 && t.listening && FD_ISSET(lfd, &r))
			err = srv_accept_all(s, &t, check_fd, NULL, why, len);
		for (size_t fd = 0; fd < t.cap && k > 0 && !err; fd++) {
			struct srv_conn *c = t.by_fd[fd];
			if (!c || !FD_ISSET((int)fd, c->replying ? &w : &r))
				continue;
			int rc = srv_conn_serve(s, &t, c, why, len);
			err = rc < 0 ? rc : 0;
		}
		if (!err && srv_stopping(s) && t.listening)
			err = srv_accept_all(s, &t, check_fd, NULL, why, len);
	}
	if (err == -EMFILE && !strstr(why, "FD_SETSIZE"))
		snprintf(why, len, "a connection's descriptor came out at or beyond select's FD_SETSIZE (%d)", FD_SETSIZE);
	srv_table_free(&t);
	return err;
}

static int plannable(const int64_t *params, char *why, size_t len)
{
	if (params[SRV_CONNS] + OTHER_FDS <= FD_SETSIZE)
		return 0;
	snprintf(why, len, "conns=%lld: select's sets hold descriptors below FD_SETSIZE (%d), and the server has about %d "
			   "others", (long long)params[SRV_CONNS], FD_SETSIZE, OTHER_FDS);
	return -EINVAL;
}

static int serve(struct srv_state *s, char *why, size_t len) { return srv_serve_threads(s, serve_on, why, len); }

static const struct srv_model model = {.serve = serve, .plannable = plannable};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_select, "select", "one thread multiplexing every connection with select, non-blocking IO (at most "
	 "FD_SETSIZE descriptors)", scenario);
