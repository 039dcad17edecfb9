/*
 * server/epoll and server/epoll-et: one thread multiplexing every connection with epoll, non-blocking
 * reads and writes, the kernel keeping the interest set: level-triggered (told while a socket is ready;
 * the interest switches between reading and writing) or edge-triggered (told when it becomes ready, so
 * each event is drained until the socket would block).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "server.h"

struct loop {
	int ep;
	bool edge;
};

static int watch(void *arg, struct srv_conn *c)
{
	struct loop *l = arg;
	struct epoll_event ev = {.events = l->edge ? EPOLLIN | EPOLLOUT | EPOLLET : EPOLLIN, .data.ptr = c};
	return epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0 ? -errno : 0;
}

static int serve_epoll(struct srv_state *s, int lfd, bool edge, char *why, size_t len)
{
	struct srv_table t = {.listen_fd = lfd, .listening = true};
	struct loop l = {epoll_create1(EPOLL_CLOEXEC), edge};
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[256];
	int err = 0;
	struct epoll_event wake = {.events = EPOLLIN, .data.ptr = &l}; /* the stop wakes it */
	if (l.ep < 0 || epoll_ctl(l.ep, EPOLL_CTL_ADD, lfd, &ev) < 0 ||
	    (s->wake_fd >= 0 && epoll_ctl(l.ep, EPOLL_CTL_ADD, s->wake_fd, &wake) < 0)) {
		err = -errno;
		snprintf(why, len, "epoll: %s", strerror(errno));
	}
	while (!err && !srv_table_done(&t)) {
		int k = epoll_wait(l.ep, evs, 256, 100);
		if (k < 0 && errno != EINTR) {
			err = -errno;
			snprintf(why, len, "epoll_wait: %s", strerror(errno));
		}
		for (int i = 0; i < k && !err; i++) {
			struct srv_conn *c = evs[i].data.ptr;
			if (c == (void *)&l) { /* the stop: seen below; it stays readable, so no more of it */
				epoll_ctl(l.ep, EPOLL_CTL_DEL, s->wake_fd, NULL);
				continue;
			}
			if (!c) {
				err = srv_accept_all(s, &t, watch, &l, why, len);
				if (!t.listening)
					epoll_ctl(l.ep, EPOLL_CTL_DEL, lfd, NULL);
				continue;
			}
			bool was = c->replying;
			int rc = srv_conn_serve(s, &t, c, why, len); /* closing removes it from the interest set */
			if (rc < 0) {
				err = rc;
			} else if (rc == 0 && !edge && was != c->replying) {
				struct epoll_event m = {.events = c->replying ? EPOLLOUT : EPOLLIN, .data.ptr = c};
				if (epoll_ctl(l.ep, EPOLL_CTL_MOD, c->fd, &m) < 0) {
					err = -errno;
					snprintf(why, len, "epoll_ctl: %s", strerror(errno));
				}
			}
		}
		if (!err && srv_stopping(s) && t.listening) {
			err = srv_accept_all(s, &t, watch, &l, why, len);
			if (!t.listening)
				epoll_ctl(l.ep, EPOLL_CTL_DEL, lfd, NULL);
		}
	}
	srv_table_free(&t);
	if (l.ep >= 0)
		close(l.ep);
	return err;
}

static int level_on(struct srv_state *s, int lfd, char *why, size_t len) { return serve_epoll(s, lfd, false, why, len); }
static int edge_on(struct srv_state *s, int lfd, char *why, size_t len) { return serve_epoll(s, lfd, true, why, len); }
static int serve_level(struct srv_state *s, char *why, size_t len) { return srv_serve_threads(s, level_on, why, len); }
static int serve_edge(struct srv_state *s, char *why, size_t len) { return srv_serve_threads(s, edge_on, why, len); }

static const struct srv_model level = {.serve = serve_level}, edge = {.serve = serve_edge};
static const struct sc_desc level_scenario = SRV_SCENARIO(&level), edge_scenario = SRV_SCENARIO(&edge);
SRV_DESC(sc_server_epoll, "epoll", "one thread multiplexing every connection with level-triggered epoll, "
	 "non-blocking IO", level_scenario);
SRV_DESC(sc_server_epoll_et, "epoll-et", "one thread multiplexing every connection with edge-triggered epoll, "
	 "non-blocking IO", edge_scenario);
