/*
 * server/thread-pool: an acceptor and concur's thread pool (pool/tpool.h) of `workers` blocking workers:
 * each accepted connection is a task that a worker serves until the client closes it. A worker serves
 * one connection at a time: a client that keeps more connections open than there are workers waits for
 * ever, so those points are not planned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pool/tpool.h"
#include "server.h"

/* A connection, as a task: i is its descriptor. */
static uint64_t serve_conn(void *ctx, uint64_t i, unsigned worker, int *err)
{
	(void)worker;
	struct srv_state *s = ctx;
	int fd = (int)i, rc;
	char *buf = malloc(s->size);
	rc = buf ? 1 : -ENOMEM;
	while (rc == 1)
		rc = srv_serve_one(s, fd, buf);
	*err = rc < 0 ? rc : 0;
	close(fd);
	free(buf);
	return 0;
}

static int serve(struct srv_state *s, char *why, size_t len)
{
	struct tpool *p;
	struct tpool_opts o = {.workers = s->workers, .capacity = s->workers};
	int err = tpool_create(&o, &p);
	if (err) {
		snprintf(why, len, "a pool of %u workers: %s", s->workers, strerror(-err));
		return err;
	}
	struct tpool_future **f = NULL; /* each where its worker completes it: the array of them may move */
	size_t n = 0, cap = 0;
	for (;;) {
		int fd = srv_accept_blocking(s, why, len);
		if (fd < 0) {
			err = fd == -ECANCELED ? 0 : fd;
			break;
		}
		if (n == cap) {
			struct tpool_future **grown = realloc(f, (cap ? 2 * cap : 64) * sizeof(*f));
			if (grown)
				f = grown, cap = cap ? 2 * cap : 64;
		}
		struct tpool_future *one = n < cap ? malloc(sizeof(*one)) : NULL;
		if (!one) {
			close(fd);
			err = -ENOMEM;
			snprintf(why, len, "connection %zu: %s", n + 1, strerror(ENOMEM));
			break;
		}
		tpool_future_init(one, NULL, NULL);
		if ((err = tpool_submit(p, serve_conn, s, (uint64_t)fd, one))) {
			close(fd);
			free(one);
			snprintf(why, len, "submitting connection %zu: %s", n + 1, strerror(-err));
			break;
		}
		f[n++] = one;
	}
	for (size_t k = 0; k < n; k++) { /* they end as the generator closes their connections */
		int rc = tpool_wait(p, f[k]);
		if (rc && !err) {
			err = rc;
			snprintf(why, len, "connection %zu: %s", k + 1, strerror(-rc));
		}
		free(f[k]);
	}
	tpool_shutdown(p, true);
	free(f);
	return err;
}

static const struct srv_model model = {.serve = serve, .plannable = srv_one_conn_per_worker};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_thread_pool, "thread-pool", "an acceptor and a pool of workers blocking threads, each serving "
	 "one connection at a time", scenario);
