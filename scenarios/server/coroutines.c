/*
 * server/coroutines: a coroutine per connection on one thread (the notes' gevent server): each blocks in
 * the IO layer, which parks it on the runtime's poller, so the code reads like the thread-per-connection
 * server and runs on one thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coro/io.h"
#include "coro/sched.h"
#include "server.h"

struct run {
	struct srv_state *s;
	struct coro_sched *sched;
	int err;
	char why[160];
};

struct conn {
	struct run *run;
	int fd;
};

static void fail(struct run *r, int err, const char *what)
{
	if (!r->err) {
		r->err = err;
		snprintf(r->why, sizeof(r->why), "%s: %s", what, strerror(-err));
	}
}

static void handle(void *p)
{
	struct conn *c = p;
	char *buf = malloc(c->run->s->size);
	int rc = buf ? 1 : -ENOMEM;
	while (rc == 1)
		rc = srv_serve_one(c->run->s, c->fd, buf);
	if (rc < 0)
		fail(c->run, rc, "a connection");
	close(c->fd);
	free(buf);
	free(c);
}

static void acceptor(void *p)
{
	struct run *r = p;
	for (;;) {
		int fd = cio_accept(r->s->listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (!srv_stopping(r->s))
				fail(r, -errno, "accept");
			return;
		}
		struct conn *c = malloc(sizeof(*c));
		int err = c ? 0 : -ENOMEM;
		if (c) {
			*c = (struct conn){r, fd};
			err = coro_spawn(r->sched, handle, c);
		}
		if (err) {
			close(fd);
			free(c);
			fail(r, err, "a coroutine for a connection");
			return;
		}
	}
}

static int serve(struct srv_state *s, char *why, size_t len)
{
	struct run r = {.s = s};
	int fl = fcntl(s->listen_fd, F_GETFL), err = coro_sched_create(s->coro, &r.sched);
	if (err) {
		snprintf(why, len, "the coroutine scheduler: %s", strerror(-err));
		return err;
	}
	if (fl >= 0)
		fcntl(s->listen_fd, F_SETFL, fl | O_NONBLOCK); /* the acceptor parks, never blocks the thread */
	if (!(err = coro_spawn(r.sched, acceptor, &r)))
		err = coro_sched_run(r.sched);
	coro_sched_destroy(r.sched);
	if (err)
		snprintf(why, len, "the coroutine scheduler: %s", strerror(-err));
	else if ((err = r.err))
		snprintf(why, len, "%s", r.why);
	return err;
}

static const struct srv_model model = {.serve = serve};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_coroutines, "coroutines", "a coroutine per connection on one thread, parking in the IO layer "
	 "(the notes' gevent server)", scenario);
