/*
 * server/blocking-thread: a thread per connection, blocking in read and write (the notes' threaded chat
 * server): the acceptor blocks in accept and starts a detached thread for each connection it gets, and
 * at the end waits until the last one has ended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

struct threads {
	struct srv_state *s;
	pthread_mutex_t m;
	pthread_cond_t ended;
	unsigned live;
	int err; /* the first connection's failure */
};

struct conn {
	struct threads *t;
	int fd;
};

static void *conn_main(void *p)
{
	struct conn *c = p;
	struct threads *t = c->t;
	char *buf = malloc(t->s->size);
	int rc = buf ? 1 : -ENOMEM;
	while (rc == 1)
		rc = srv_serve_one(t->s, c->fd, buf);
	close(c->fd);
	free(buf);
	free(c);
	pthread_mutex_lock(&t->m);
	if (rc < 0 && !t->err)
		t->err = rc;
	if (--t->live == 0)
		pthread_cond_signal(&t->ended);
	pthread_mutex_unlock(&t->m);
	return NULL;
}

static int serve(struct srv_state *s, char *why, size_t len)
{
	struct threads t = {.s = s, .m = PTHREAD_MUTEX_INITIALIZER, .ended = PTHREAD_COND_INITIALIZER};
	pthread_attr_t detached;
	pthread_attr_init(&detached);
	pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	int err = 0;
	for (unsigned n = 1;; n++) {
		int fd = srv_accept_blocking(s, why, len);
		if (fd < 0) {
			err = fd == -ECANCELED ? 0 : fd;
			break;
		}
		struct conn *c = malloc(sizeof(*c));
		pthread_t id;
		pthread_mutex_lock(&t.m);
		t.live++;
		pthread_mutex_unlock(&t.m);
		int rc = c ? 0 : ENOMEM;
		if (c) {
			*c = (struct conn){&t, fd};
			rc = pthread_create(&id, &detached, conn_main, c);
		}
		if (rc) {
			err = -rc;
			snprintf(why, len, "a thread for connection %u: %s", n, strerror(rc));
			close(fd);
			free(c);
			pthread_mutex_lock(&t.m);
			t.live--;
			pthread_mutex_unlock(&t.m);
			break;
		}
	}
	pthread_mutex_lock(&t.m); /* they end as the generator closes their connections */
	while (t.live)
		pthread_cond_wait(&t.ended, &t.m);
	if (t.err && !err) {
		err = t.err;
		snprintf(why, len, "a connection: %s", strerror(-err));
	}
	pthread_mutex_unlock(&t.m);
	pthread_attr_destroy(&detached);
	return err;
}

/* conn_ns: a thread started and joined: 160 us a connection at 1,000 measured on a 2-vCPU VM */
static const struct srv_model model = {.serve = serve, .conn_ns = 1.6e5};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_blocking_thread, "blocking-thread", "a thread per connection, blocking in read and write",
	 scenario);
