/*
 * server/coro-pool: `workers` threads, each a coroutine server of its own (an acceptor coroutine on the
 * shared listener and a coroutine per connection it takes): M:N, the connections spread over threads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

struct thread {
	pthread_t t;
	struct srv_state *s;
	int err;
	char why[160];
};

static void *thread_main(void *p)
{
	struct thread *t = p;
	t->err = srv_serve_coroutines(t->s, t->why, sizeof(t->why));
	return NULL;
}

static int serve(struct srv_state *s, char *why, size_t len)
{
	struct thread *t = calloc(s->workers, sizeof(*t));
	unsigned started = 0;
	int err = t ? 0 : -ENOMEM;
	for (; t && started < s->workers; started++) {
		t[started].s = s;
		int rc = pthread_create(&t[started].t, NULL, thread_main, &t[started]);
		if (rc) {
			err = -rc;
			snprintf(why, len, "thread %u of %u: %s", started + 1, s->workers, strerror(rc));
			srv_stop(s); /* the ones started end */
			break;
		}
	}
	for (unsigned k = 0; k < started; k++) {
		pthread_join(t[k].t, NULL);
		if (t[k].err && !err) {
			err = t[k].err;
			snprintf(why, len, "thread %u: %s", k, t[k].why);
		}
	}
	if (!t)
		snprintf(why, len, "%u threads: %s", s->workers, strerror(ENOMEM));
	free(t);
	return err;
}

/* conn_ns: a coroutine and its stack: 50 us a connection at 1,000 measured on a 2-vCPU VM */
static const struct srv_model model = {.serve = serve, .conn_ns = 5e4};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_coro_pool, "coro-pool", "workers threads, each a coroutine per connection it accepts on the "
	 "shared listener (M:N)", scenario);
