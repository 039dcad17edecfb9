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
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/proc.h"
#include "work/workload.h"
#include "coro/io.h"
#include "echo.h"

struct tcp_ctx {
	size_t size;
	bool per_task;
	struct sockaddr_in addr;
	int64_t server_cpu;
	pid_t server;
	struct echo_pool pool; /* with connect=0 */
};

static int admit_connection(int listener, struct echo_chan *ch)
{
	int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return errno == EAGAIN ? 0 : -1;
	int one = 1;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*ch = (struct echo_chan){c, c};
	return 1;
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
	c->server = echo_start(l, admit_connection, c->server_cpu);
	close(l); /* only the server listens */
	return c->server < 0 ? (int)c->server : 0;
}

static int connect_server(const struct tcp_ctx *c, struct echo_chan *ch)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0 && (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
			cio_connect(fd, (const struct sockaddr *)&c->addr, sizeof(c->addr)) < 0)) {
		close(fd);
		fd = -1;
	}
	*ch = (struct echo_chan){fd, fd};
	return fd;
}

static uint64_t tcp_task(const void *p, uint64_t i)
{
	struct tcp_ctx *c = (struct tcp_ctx *)p; /* the pool changes; the rest is read-only */
	struct echo_chan ch;
	if ((c->per_task || !echo_pool_take(&c->pool, &ch)) && connect_server(c, &ch) < 0) {
		wl_fail("io/tcp: connecting to the echo server: %s", strerror(errno));
		return 0;
	}
	uint64_t h = echo_exchange(ch, c->size, i);
	if (h && !c->per_task)
		echo_pool_put(&c->pool, ch);
	else
		echo_chan_close(ch);
	return h;
}

static int tcp_setup(const int64_t *params, void **ctx)
{
	struct tcp_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->size = (size_t)params[0];
	c->per_task = params[1] != 0;
	c->server_cpu = params[2];
	echo_pool_init(&c->pool);
	int err = start_server(c);
	if (err) {
		echo_pool_destroy(&c->pool);
		free(c);
		return err;
	}
	*ctx = c;
	return 0;
}

static void tcp_teardown(void *p)
{
	struct tcp_ctx *c = p;
	echo_pool_destroy(&c->pool);
	echo_stop(c->server);
	free(c);
}

static int tcp_validate(const int64_t *params, char *why, size_t len)
{
	return echo_check_cpu(params[2], why, len);
}

static double tcp_ns(const int64_t *params) { return params[1] ? 60000 : 25000; }

static const struct wl_param tcp_params[] = {
	{"size", WL_BYTES, 64, 1, 1 << 20, "bytes per request (and per reply)"},
	{"connect", WL_INT, 0, 0, 1, "0: reuse pooled connections; 1: connect and close per task"},
	ECHO_CPU_PARAM,
	{0},
};

/* The responder serves every request: its CPU time is the batch's too. */
static double helpers_cpu_s(const void *p) { return cc_proc_cpu_s(((const struct tcp_ctx *)p)->server); }

const struct wl_desc wl_io_tcp = {
	.helpers_cpu_s = helpers_cpu_s,
	.name = "tcp",
	.cls = WL_IO,
	.summary = "request/reply to an upper-casing echo server on loopback; connect=1 connects per task",
	.params = tcp_params,
	.default_tasks = 1000, /* many exchanges per channel: 128 coroutines open 128 of them */
	.setup = tcp_setup,
	.teardown = tcp_teardown,
	.task = tcp_task,
	.validate = tcp_validate,
	.task_ns = tcp_ns,
	.fds_each = 1,
	.sweep = "connect=0,1",
};
