/*
 * io/tcp: request/reply with an echo server on loopback that upper-cases
 * what it receives, as in the course notes. Setup forks the server (bound to
 * 127.0.0.1 on an ephemeral port; it dies with concur); teardown stops and
 * reaps it, so no listener or process outlives the workload. Each task sends
 * `size` bytes of lower-case text and reads the upper-cased reply. With
 * connect=0 connections are kept in a per-process pool and reused; with
 * connect=1 every task connects and closes. Through the IO layer: threads
 * block, coroutines park.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/proc.h"
#include "core/workload.h"
#include "coro/io.h"

#define POOL 256

struct tcp_ctx {
	size_t size;
	bool per_task;
	struct sockaddr_in addr;
	pid_t server;
	pthread_mutex_t lock; /* the connection pool: per process */
	int pool[POOL];
	unsigned npool;
	pid_t owner; /* the process the pooled connections belong to */
};

/* ---- the server ---- */

static _Noreturn void serve(int listener)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) < 0)
		_exit(1);
	char buf[65536];
	for (;;) {
		struct epoll_event got[64];
		int n = epoll_wait(ep, got, 64, -1);
		for (int k = 0; k < n; k++) {
			int fd = got[k].data.fd;
			if (fd == listener) {
				int c;
				while ((c = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
					int one = 1;
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
				}
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r <= 0) {
				close(fd); /* also removes it from the epoll set */
				continue;
			}
			for (ssize_t j = 0; j < r; j++)
				buf[j] = (char)toupper((unsigned char)buf[j]);
			for (ssize_t done = 0; done < r;) { /* the socket is blocking: a full buffer waits */
				ssize_t w = write(fd, buf + done, (size_t)(r - done));
				if (w <= 0)
					break;
				done += w;
			}
		}
	}
}

static int start_server(struct tcp_ctx *c)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	socklen_t len = sizeof(c->addr);
	c->addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (l < 0 || bind(l, (struct sockaddr *)&c->addr, len) < 0 || listen(l, 4096) < 0 ||
	    getsockname(l, (struct sockaddr *)&c->addr, &len) < 0) {
		int e = errno;
		if (l >= 0)
			close(l);
		return -e;
	}
	pid_t parent = getpid();
	fflush(NULL);
	c->server = fork();
	if (c->server == 0) {
		if (cc_proc_child_init(parent) < 0)
			_exit(127);
		serve(l);
	}
	int e = errno;
	close(l); /* only the server listens */
	return c->server < 0 ? -e : 0;
}

/* ---- the client ---- */

static int take_connection(struct tcp_ctx *c)
{
	int fd = -1;
	if (!c->per_task) {
		pthread_mutex_lock(&c->lock);
		if (c->owner != getpid()) { /* a forked worker must not share its parent's connections */
			while (c->npool)
				close(c->pool[--c->npool]);
			c->owner = getpid();
		}
		if (c->npool)
			fd = c->pool[--c->npool];
		pthread_mutex_unlock(&c->lock);
		if (fd >= 0)
			return fd;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0 && (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
			cio_connect(fd, (struct sockaddr *)&c->addr, sizeof(c->addr)) < 0)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void give_back(struct tcp_ctx *c, int fd, bool ok)
{
	if (ok && !c->per_task) {
		pthread_mutex_lock(&c->lock);
		bool kept = c->npool < POOL;
		if (kept)
			c->pool[c->npool++] = fd;
		pthread_mutex_unlock(&c->lock);
		if (kept)
			return;
	}
	close(fd);
}

static uint64_t tcp_task(const void *p, uint64_t i)
{
	struct tcp_ctx *c = (struct tcp_ctx *)p; /* the pool changes; the rest is read-only */
	char *msg = malloc(2 * c->size);     /* not on the stack: coroutine stacks are small */
	int fd = msg ? take_connection(c) : -1;
	if (fd < 0) {
		free(msg);
		return 0; /* a failure shows as a checksum mismatch */
	}
	for (size_t k = 0; k < c->size; k++)
		msg[k] = (char)('a' + (i + k) % 26);
	bool ok = cio_write_full(fd, msg, c->size) == (ssize_t)c->size &&
		  cio_read_full(fd, msg + c->size, c->size) == (ssize_t)c->size;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t k = 0; ok && k < c->size; k++)
		h = (h ^ (unsigned char)msg[c->size + k]) * 0x100000001b3ull;
	give_back(c, fd, ok);
	free(msg);
	return ok ? h : 0;
}

static int tcp_setup(const int64_t *params, void **ctx)
{
	struct tcp_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->size = (size_t)params[0];
	c->per_task = params[1] != 0;
	pthread_mutex_init(&c->lock, NULL);
	int err = start_server(c);
	if (err) {
		free(c);
		return err;
	}
	*ctx = c;
	return 0;
}

static void tcp_teardown(void *p)
{
	struct tcp_ctx *c = p;
	while (c->npool)
		close(c->pool[--c->npool]);
	kill(c->server, SIGKILL);
	while (waitpid(c->server, NULL, 0) < 0 && errno == EINTR)
		;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static double tcp_ns(const int64_t *params) { return params[1] ? 60000 : 25000; }

static const struct wl_param tcp_params[] = {
	{"size", WL_BYTES, 64, 1, 1 << 20, "bytes per request (and per reply)"},
	{"connect", WL_INT, 0, 0, 1, "0: reuse pooled connections; 1: connect and close per task"},
	{0},
};

const struct wl_desc wl_io_tcp = {
	.name = "tcp",
	.cls = WL_IO,
	.summary = "request/reply to an upper-casing echo server on loopback; connect=1 connects per task",
	.params = tcp_params,
	.default_tasks = 200,
	.setup = tcp_setup,
	.teardown = tcp_teardown,
	.task = tcp_task,
	.task_ns = tcp_ns,
};
