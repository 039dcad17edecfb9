/*
 * server/blocking-thread: a thread per connection, blocking in read and write (the notes' threaded chat
 * server): the acceptor blocks in accept and starts a thread for each connection it gets.
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

struct conn_thread {
	pthread_t t;
	struct srv_state *s;
	int fd, err;
};

static void *conn_main(void *p)
{
	struct conn_thread *c = p;
	char *buf = malloc(c->s->size);
	int rc = buf ? 1 : -ENOMEM;
	while (rc == 1)
		rc = srv_serve_one(c->s, c->fd, buf);
	c->err = rc < 0 ? rc : 0;
	close(c->fd);
	free(buf);
	return NULL;
}

static int serve(struct srv_state *s, char *why, size_t len)
{
	struct conn_thread **t = NULL;
	size_t n = 0, cap = 0;
	int err = 0;
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (!srv_stopping(s)) {
				err = -errno;
				snprintf(why, len, "accept: %s", strerror(errno));
			}
			break;
		}
		struct conn_thread *c = malloc(sizeof(*c));
		if (n == cap) {
			struct conn_thread **grown = realloc(t, (cap ? 2 * cap : 64) * sizeof(*t));
			if (grown)
				t = grown, cap = cap ? 2 * cap : 64;
		}
		int rc = c && n < cap ? 0 : ENOMEM;
		if (!rc) {
			*c = (struct conn_thread){.s = s, .fd = fd};
			rc = pthread_create(&c->t, NULL, conn_main, c);
		}
		if (rc) {
			err = -rc;
			snprintf(why, len, "a thread for connection %zu: %s", n + 1, strerror(rc));
			close(fd);
			free(c);
			break;
		}
		t[n++] = c;
	}
	for (size_t k = 0; k < n; k++) { /* they end as the generator closes their connections */
		pthread_join(t[k]->t, NULL);
		if (t[k]->err && !err) {
			err = t[k]->err;
			snprintf(why, len, "connection %zu: %s", k + 1, strerror(-err));
		}
		free(t[k]);
	}
	free(t);
	return err;
}

static const struct srv_model model = {.serve = serve};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_blocking_thread, "blocking-thread", "a thread per connection, blocking in read and write",
	 scenario);
