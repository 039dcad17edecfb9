/*
 * server/io-uring: one thread serving every connection through io_uring's completions: an accept, and per
 * connection a receive of the rest of its request or a send of the rest of its reply, always in flight;
 * the thread sleeps in one call until some complete. Built where liburing is (it is optional); elsewhere
 * the scenario is not planned, saying so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

#ifdef CONCUR_HAVE_LIBURING
#include <liburing.h>

enum { ACCEPT = 1, RECV = 2, SEND = 3, OP_MASK = 3 }; /* in the low bits of the user data; connections are aligned */

static int queue(struct io_uring *ring, struct srv_state *s, struct srv_conn *c, int op, int lfd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	if (!sqe) { /* full: hand what is queued to the kernel and try once more */
		int rc = io_uring_submit(ring);
		if (rc < 0)
			return rc;
		if (!(sqe = io_uring_get_sqe(ring)))
			return -EBUSY;
	}
	if (op == ACCEPT)
		io_uring_prep_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
	else if (op == RECV)
		io_uring_prep_recv(sqe, c->fd, c->buf + c->got, s->size - c->got, 0);
	else
		io_uring_prep_send(sqe, c->fd, c->buf + c->sent, s->size - c->sent, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | (uint64_t)op);
	return 0;
}

/* What a completion means for its connection: the next operation queued, or the connection closed (the
 * generator is done with it). 0, or -errno. */
static int complete(struct io_uring *ring, struct srv_state *s, struct srv_table *t, struct srv_conn *c, int op,
		    int res)
{
	if (res == 0 && op == RECV) {
		srv_table_close(t, c);
		return 0;
	}
	if (res < 0) {
		if (res == -ECONNRESET || res == -EPIPE) {
			srv_table_close(t, c);
			return 0;
		}
		return res;
	}
	if (op == RECV && (c->got += (size_t)res) == s->size) {
		srv_answer(s, c->buf);
		c->sent = 0;
		return queue(ring, s, c, SEND, -1);
	}
	if (op == SEND && (c->sent += (size_t)res) == s->size) {
		c->got = 0;
		return queue(ring, s, c, RECV, -1);
	}
	return queue(ring, s, c, op, -1); /* the rest of a request or a reply */
}

static int serve_on(struct srv_state *s, int lfd, char *why, size_t len)
{
	struct io_uring ring;
	struct srv_table t = {.listen_fd = lfd, .listening = true};
	int err = io_uring_queue_init(256, &ring, 0);
	if (err) {
		snprintf(why, len, "io_uring_queue_init: %s", strerror(-err));
		return err;
	}
	if ((err = queue(&ring, s, NULL, ACCEPT, lfd)))
		snprintf(why, len, "queueing an accept: %s", strerror(-err));
	struct io_uring_sqe *wake = s->wake_fd >= 0 && !err ? io_uring_get_sqe(&ring) : NULL;
	if (wake) { /* the stop wakes it: a completion with no connection and no operation */
		io_uring_prep_poll_add(wake, s->wake_fd, POLLIN);
		io_uring_sqe_set_data64(wake, 0);
	}
	while (!err && !srv_table_done(&t)) {
		struct io_uring_cqe *cqe;
		if (srv_stopping(s) && lfd != s->listen_fd)
			t.listening = false; /* a listener of its own, which the stop does not shut down */
		struct __kernel_timespec ts = {0, 100000000};
		int rc = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
		if (rc < 0 && rc != -ETIME && rc != -EINTR) {
			err = rc;
			snprintf(why, len, "io_uring_submit_and_wait_timeout: %s", strerror(-rc));
			break;
		}
		unsigned head, seen = 0;
		io_uring_for_each_cqe(&ring, head, cqe)
		{
			seen++;
			if (err)
				continue;
			uint64_t data = io_uring_cqe_get_data64(cqe);
			int op = (int)(data & OP_MASK), res = cqe->res;
			struct srv_conn *c = (struct srv_conn *)(uintptr_t)(data & ~(uint64_t)OP_MASK);
			if (!data)
				continue; /* the stop: seen at the top of the loop */
			if (op != ACCEPT) {
				if ((err = complete(&ring, s, &t, c, op, res)))
					snprintf(why, len, "a connection: %s", strerror(-err));
				continue;
			}
			if (res >= 0) {
				int one = 1;
				setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				struct srv_conn *n = srv_table_add(s, &t, res);
				err = n ? queue(&ring, s, n, RECV, -1) : -ENOMEM;
				if (!n)
					close(res);
			}
			if (!err && res < 0 && srv_stopping(s))
				t.listening = false; /* the listener shut down */
			else if (!err && res < 0 && res != -EINTR && res != -ECONNABORTED && res != -EAGAIN)
				err = res;
			else if (!err)
				err = queue(&ring, s, NULL, ACCEPT, lfd);
			if (err)
				snprintf(why, len, "accept: %s", strerror(-err));
		}
		io_uring_cq_advance(&ring, seen);
	}
	if (lfd != s->listen_fd) /* a listener of its own: its accept, still queued, must not hold the exit up */
		shutdown(lfd, SHUT_RDWR);
	io_uring_queue_exit(&ring); /* first: nothing queued may still write into a connection's buffer */
	srv_table_free(&t);
	return err;
}

static int serve(struct srv_state *s, char *why, size_t len) { return srv_serve_threads(s, serve_on, why, len); }

static int plannable(const int64_t *params, char *why, size_t len)
{
	(void)params, (void)why, (void)len;
	return 0;
}
#else
static int serve(struct srv_state *s, char *why, size_t len)
{
	(void)s;
	snprintf(why, len, "built without liburing");
	return -ENOTSUP;
}

static int plannable(const int64_t *params, char *why, size_t len)
{
	(void)params;
	snprintf(why, len, "concur was built without liburing (install liburing-dev and build again)");
	return -EINVAL;
}
#endif

static const struct srv_model model = {.serve = serve, .plannable = plannable};
static const struct sc_desc scenario = SRV_SCENARIO(&model);
SRV_DESC(sc_server_io_uring, "io-uring", "one thread serving every connection through io_uring completions (accept, "
	 "receive, send always in flight)", scenario);
