/* What every server/ scenario shares; see server.h. */
#define _GNU_SOURCE
#include "server.h"

#include <ctype.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/busy.h"
#include "base/clock.h"
#include "base/proc.h"
#include "coro/io.h"
#include "coro/sched.h"

enum { CLIENT, SERVER };

/* The byte k of request i (numbered across all connections): lower-case letters, so the reply is
 * checkable, and the set of requests is the same whichever connection carries which. */
static char request_byte(uint64_t i, size_t k) { return (char)('a' + (i * 7 + k) % 26); }

void srv_answer(struct srv_state *s, char *buf)
{
	if (s->cpu_steps)
		__asm__ volatile("" ::"r"(cc_busy(s->cpu_steps | 1, s->cpu_steps)));
	if (s->wait_ns)
		cio_sleep_ns(s->wait_ns);
	for (size_t k = 0; k < s->size; k++)
		buf[k] = (char)toupper((unsigned char)buf[k]);
	atomic_fetch_add_explicit(&s->served, 1, memory_order_relaxed);
}

int srv_serve_one(struct srv_state *s, int fd, char *buf)
{
	ssize_t n = cio_read_full(fd, buf, s->size);
	if (n == 0)
		return 0;
	if (n < (ssize_t)s->size)
		return n < 0 ? -errno : -EPROTO;
	srv_answer(s, buf);
	return cio_write_full(fd, buf, s->size) == (ssize_t)s->size ? 1 : -errno;
}

int srv_conn_step(struct srv_state *s, struct srv_conn *c)
{
	for (;;) {
		if (!c->replying) {
			ssize_t n = read(c->fd, c->buf + c->got, s->size - c->got);
			if (n == 0)
				return 1;
			if (n < 0)
				return errno == EAGAIN || errno == EINTR ? 0 : errno == ECONNRESET ? 1 : -errno;
			if ((c->got += (size_t)n) < s->size)
				continue;
			srv_answer(s, c->buf);
			c->replying = true;
			c->sent = 0;
		}
		ssize_t n = send(c->fd, c->buf + c->sent, s->size - c->sent, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : errno == EPIPE || errno == ECONNRESET ? 1 : -errno;
		if ((c->sent += (size_t)n) == s->size)
			c->replying = false, c->got = 0;
	}
}

int srv_accept_nonblocking(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int srv_accept_all(struct srv_state *s, struct srv_table *t, int (*added)(void *arg, struct srv_conn *c), void *arg,
		   char *why, size_t len)
{
	int fl = fcntl(t->listen_fd, F_GETFL); /* "every connection waiting" ends where accept would block */
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(t->listen_fd, F_SETFL, fl | O_NONBLOCK);
	if (srv_stopping(s) && t->listen_fd != s->listen_fd) {
		t->listening = false; /* a listener of its own, which the stop does not shut down */
		return 0;
	}
	while (t->listening) {
		int fd = srv_accept_nonblocking(t->listen_fd);
		if (fd == -EAGAIN || fd == -EINTR || fd == -ECONNABORTED)
			return 0;
		if (fd < 0) {
			if (srv_stopping(s)) {
				t->listening = false; /* shut down: no more connections */
				return 0;
			}
			snprintf(why, len, "accept: %s", strerror(-fd));
			return fd;
		}
		struct srv_conn *c = srv_table_add(s, t, fd);
		if (!c) {
			close(fd);
			snprintf(why, len, "connection %u: %s", t->open + 1, strerror(ENOMEM));
			return -ENOMEM;
		}
		int err = added ? added(arg, c) : 0;
		if (err) {
			snprintf(why, len, "connection %u: %s", t->open, strerror(-err));
			srv_table_close(t, c);
			return err;
		}
	}
	return 0;
}

struct srv_conn *srv_table_add(struct srv_state *s, struct srv_table *t, int fd)
{
	if ((size_t)fd >= t->cap) {
		size_t cap = t->cap ? t->cap : 64;
		while (cap <= (size_t)fd)
			cap *= 2;
		struct srv_conn **grown = realloc(t->by_fd, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		memset(grown + t->cap, 0, (cap - t->cap) * sizeof(*grown));
		t->by_fd = grown, t->cap = cap;
	}
	struct srv_conn *c = calloc(1, sizeof(*c) + s->size);
	if (!c)
		return NULL;
	c->fd = fd;
	c->buf = (char *)(c + 1);
	t->by_fd[fd] = c;
	t->open++;
	return c;
}

void srv_table_close(struct srv_table *t, struct srv_conn *c)
{
	t->by_fd[c->fd] = NULL;
	t->open--;
	close(c->fd);
	free(c);
}

void srv_table_free(struct srv_table *t)
{
	for (size_t fd = 0; fd < t->cap; fd++)
		if (t->by_fd[fd])
			srv_table_close(t, t->by_fd[fd]);
	free(t->by_fd);
}

int srv_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len)
{
	(void)roles;
	srv_prepare(state, params);
	return srv_listen(state, htonl(INADDR_LOOPBACK), 0, why, len);
}

void srv_prepare(struct srv_state *s, const int64_t *params)
{
	s->size = (size_t)params[SRV_SIZE];
	s->conns = (unsigned)params[SRV_CONNS];
	s->workers = (unsigned)params[SRV_WORKERS];
	s->cpu_steps = params[SRV_CPU_US] ? cc_busy_steps(params[SRV_CPU_US] * 1000) : 0;
	s->wait_ns = params[SRV_WAIT_US] * 1000;
	s->rate = (uint64_t)params[SRV_RATE];
	s->reconnect = params[SRV_RECONNECT] != 0;
	s->threads = (unsigned)params[SRV_THREADS];
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); /* -1: the loops' timeouts notice the stop instead */
	/* both ends of every connection may live in this machine's one limit of descriptors */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int srv_listen(struct srv_state *s, uint32_t host, int port, char *why, size_t len)
{
	char at[INET_ADDRSTRLEN] = "?";
	s->addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = host, .sin_port = htons((uint16_t)port)};
	inet_ntop(AF_INET, &s->addr.sin_addr, at, sizeof(at));
	socklen_t al = sizeof(s->addr);
	const char *step = "socket";
	int one = 1;
	if ((s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    (step = "SO_REUSEADDR", setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) < 0 ||
	    (step = "SO_REUSEPORT", setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) < 0 ||
	    (step = "bind", bind(s->listen_fd, (struct sockaddr *)&s->addr, sizeof(s->addr))) < 0 ||
	    (step = "listen", listen(s->listen_fd, SOMAXCONN)) < 0 ||
	    (step = "getsockname", getsockname(s->listen_fd, (struct sockaddr *)&s->addr, &al)) < 0) {
		int err = -errno;
		snprintf(why, len, "the listener on %s:%d: %s: %s", at, port, step, strerror(errno));
		if (s->listen_fd >= 0)
			close(s->listen_fd);
		s->listen_fd = -1;
		return err;
	}
	return 0;
}

void srv_teardown(void *state, unsigned roles)
{
	(void)roles;
	struct srv_state *s = state;
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
}

void srv_stop(void *state)
{
	struct srv_state *s = state;
	atomic_store(&s->stop, true);
	shutdown(s->listen_fd, SHUT_RDWR); /* an accept blocked in any process returns */
	uint64_t one = 1;
	if (s->wake_fd >= 0 && write(s->wake_fd, &one, sizeof(one)) < 0) /* a full counter is awake already */
		return;
}

static double cpu_s(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

struct gen_conn {
	int fd;
	size_t got;       /* bytes of the oldest reply so far */
	uint64_t *seq;    /* the requests in flight on it, oldest first (a ring of cap) */
	int64_t *t0;      /* ... and when each was sent or, open loop, due; 0 when not timed */
	unsigned head, count, cap;
};

/* Sends request seq on connection g whole (a small request fits the socket; a large one may wait), and
 * notes it in flight from t0. */
static int send_request(struct srv_state *s, struct gen_conn *g, uint64_t seq, int64_t t0, char *buf)
{
	for (size_t k = 0; k < s->size; k++)
		buf[k] = request_byte(seq, k);
	unsigned at = (g->head + g->count++) % g->cap;
	g->seq[at] = seq;
	g->t0[at] = t0;
	size_t done = 0;
	while (done < s->size) {
		ssize_t n = send(g->fd, buf + done, s->size - done, MSG_NOSIGNAL);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		struct pollfd p = {g->fd, POLLOUT, 0};
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return -errno;
		if (srv_stopping(s))
			return -ECANCELED;
	}
	return 0;
}

/* Connects g (blocking), then makes it non-blocking and watched as connection c: 0, or -errno. */
static int open_conn(struct srv_state *s, int ep, struct gen_conn *g, unsigned c)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = c};
	g->fd = fd;
	if (fd < 0 || connect(fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;
		if (fd >= 0)
			close(fd);
		g->fd = -1;
		return err;
	}
	return 0;
}

/* The load generator: conns connections, then ops requests, every reply checked. Closed loop (rate 0):
 * one request outstanding on each connection. Open loop: request k due k/rate seconds after the first,
 * sent on connection k % conns whatever is still in flight there, its latency counted from when it was
 * due (wrk2's correction for coordinated omission: a stalled server shows as latency, not as a lower rate). */
static int generate(struct sc_role *r, struct srv_state *s, char *why, size_t len)
{
	unsigned n = s->conns, cap = s->rate ? (unsigned)(r->ops / n + 2) : 1;
	struct gen_conn *g = calloc(n, sizeof(*g));
	char *req = malloc(s->size), *rep = malloc((size_t)n * s->size);
	int ep = epoll_create1(EPOLL_CLOEXEC), err = g && req && rep && ep >= 0 ? 0 : -ENOMEM;
	uint64_t sent = 0, done = 0;
	double cpu0 = cpu_s(RUSAGE_SELF);
	int64_t begun = cc_now_ns();
	unsigned opened = 0;
	for (unsigned c = 0; c < n && !err; c++) {
		g[c] = (struct gen_conn){.fd = -1, .cap = cap, .seq = malloc(cap * sizeof(uint64_t)),
					 .t0 = malloc(cap * sizeof(int64_t))};
		if (!g[c].seq || !g[c].t0)
			err = -ENOMEM;
	}
	if (err)
		snprintf(why, len, "the generator's %u connections: %s", n, strerror(-err));
	for (; opened < n && !err; opened++)
		if ((err = open_conn(s, ep, &g[opened], opened)))
			snprintf(why, len, "connection %u of %u to 127.0.0.1:%u: %s", opened + 1, n, ntohs(s->addr.sin_port),
				 strerror(-err));
	int64_t connected = cc_now_ns();
	s->connect_s = (double)(connected - begun) / 1e9;
	double gap_ns = s->rate ? 1e9 / (double)s->rate : 0;
	for (unsigned c = 0; c < opened && !err && !s->rate && sent < r->ops; c++, sent++)
		if ((err = send_request(s, &g[c], sent, sc_tick(r, sent), req)))
			snprintf(why, len, "request on connection %u: %s", c, strerror(-err));
	struct epoll_event evs[64];
	while (!err && done < r->ops) {
		int64_t timeout = 100000000; /* ns */
		if (s->rate) { /* every request due by now goes out, on its connection */
			int64_t now = cc_now_ns();
			for (; sent < r->ops && connected + (int64_t)(gap_ns * (double)sent) <= now && !err; sent++) {
				int64_t due = connected + (int64_t)(gap_ns * (double)sent);
				unsigned c = (unsigned)(sent % n);
				if ((err = send_request(s, &g[c], sent, sc_tick(r, sent) ? due : 0, req)))
					snprintf(why, len, "request on connection %u: %s", c, strerror(-err));
			}
			if (sent < r->ops) {
				int64_t wait = connected + (int64_t)(gap_ns * (double)sent) - cc_now_ns();
				timeout = wait > 0 ? wait : 0;
			}
		}
		/* to the microsecond (epoll_pwait2), so the open loop does not spin between requests due soon */
		struct timespec ts = {timeout / 1000000000, timeout % 1000000000};
		int k = err ? 0 : epoll_pwait2(ep, evs, 64, &ts, NULL);
		if (k < 0 && errno == ENOSYS) /* before Linux 5.11: to the millisecond */
			k = epoll_wait(ep, evs, 64, (int)((timeout + 999999) / 1000000));
		if (k < 0 && errno != EINTR) {
			err = -errno;
			snprintf(why, len, "epoll_wait: %s", strerror(errno));
			break;
		}
		if (k <= 0 && timeout > 0 && srv_stopping(s)) {
			err = -ECANCELED;
			snprintf(why, len, "stopped: the server failed");
			break;
		}
		for (int e = 0; e < k && !err; e++) {
			unsigned c = evs[e].data.u32;
			char *buf = rep + (size_t)c * s->size;
			for (;;) { /* every whole reply that has come */
				ssize_t got = read(g[c].fd, buf + g[c].got, s->size - g[c].got);
				if (got < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				uint64_t seq = g[c].count ? g[c].seq[g[c].head] : 0;
				if (got <= 0 || !g[c].count) {
					err = got < 0 ? -errno : -EPROTO;
					snprintf(why, len, "connection %u, request %llu: %s", c, (unsigned long long)seq,
						 got < 0 ? strerror(errno) : got == 0 ? "the server closed it before replying" :
											  "a reply nothing asked for");
					break;
				}
				if ((g[c].got += (size_t)got) < s->size)
					continue;
				for (size_t b = 0; b < s->size && !err; b++)
					if (buf[b] != (char)toupper((unsigned char)request_byte(seq, b))) {
						err = -EPROTO;
						snprintf(why, len, "connection %u, request %llu: byte %zu of the reply is %#x, not the "
								   "request upper-cased",
							 c, (unsigned long long)seq, b, (unsigned char)buf[b]);
					}
				if (err)
					break;
				sc_tock(r, g[c].t0[g[c].head]);
				r->out->checksum += cc_fold(seq, (uint64_t)(unsigned char)buf[seq % s->size]);
				done++;
				g[c].got = 0;
				g[c].head = (g[c].head + 1) % g[c].cap;
				g[c].count--;
				if (!s->rate && sent < r->ops) {
					int64_t t0 = sc_tick(r, sent); /* a reconnection is part of the request's time */
					if (s->reconnect) {
						close(g[c].fd);
						if ((err = open_conn(s, ep, &g[c], c)))
							snprintf(why, len, "connecting again for request %llu: %s",
								 (unsigned long long)sent, strerror(-err));
					}
					if (!err && (err = send_request(s, &g[c], sent, t0, req)))
						snprintf(why, len, "request on connection %u: %s", c, strerror(-err));
					sent++;
				}
				if (!s->rate)
					break; /* one in flight: the next reply is not there yet */
			}
		}
	}
	s->requests_s = (double)(cc_now_ns() - connected) / 1e9;
	/* the stop before the connections close: a server thread woken by their ends knows it may finish */
	srv_stop(s);
	for (unsigned c = 0; c < n; c++) {
		if (g && g[c].fd >= 0 && c < opened)
			close(g[c].fd);
		if (g)
			free(g[c].seq), free(g[c].t0);
	}
	s->client_cpu_s = cpu_s(RUSAGE_SELF) - cpu0;
	if (ep >= 0)
		close(ep);
	free(g);
	free(req);
	free(rep);
	return err;
}

int srv_role(struct sc_role *r, char *why, size_t len)
{
	struct srv_state *s = r->state;
	if (r->role == CLIENT)
		return generate(r, s, why, len);
	s->coro = r->coro;
	double cpu0 = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN);
	int err = s->model->serve(s, why, len);
	s->server_cpu_s = cpu_s(RUSAGE_SELF) + cpu_s(RUSAGE_CHILDREN) - cpu0;
	struct rusage self, children;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	s->server_rss_kb = self.ru_maxrss;
	s->child_rss_kb = children.ru_maxrss;
	return err;
}

int srv_plannable(const void *impl, const int64_t *params, char *why, size_t len)
{
	const struct srv_model *m = impl;
	if (params[SRV_RECONNECT] && params[SRV_RATE]) {
		snprintf(why, len, "reconnect=1 with rate=%lld: connecting per request is a closed loop's", (long long)params[SRV_RATE]);
		return -EINVAL;
	}
	struct rlimit rl;
	/* the generator's end and the server's end of every connection, and a margin for the rest */
	rlim_t need = 2 * (rlim_t)params[SRV_CONNS] + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		snprintf(why, len, "conns=%lld needs %llu descriptors, more than this process may open (%llu: ulimit -Hn)",
			 (long long)params[SRV_CONNS], (unsigned long long)need, (unsigned long long)rl.rlim_max);
		return -EINVAL;
	}
	return m->plannable ? m->plannable(params, why, len) : 0;
}

int srv_verify(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len)
{
	(void)params;
	const struct srv_state *s = state;
	uint64_t served = atomic_load(&((struct srv_state *)s)->served);
	if (served == ops)
		return 0;
	snprintf(why, len, "the server answered %llu requests of %llu", (unsigned long long)served, (unsigned long long)ops);
	return -EPROTO;
}

uint64_t srv_total_ops(const int64_t *params, unsigned roles, uint64_t ops)
{
	(void)params, (void)roles;
	return ops; /* the generator's; the server counts what it answered apart (served) */
}

double srv_op_ns(const int64_t *params)
{
	if (params[SRV_RATE]) /* open loop: the batch lasts its requests over the rate */
		return 1e9 / (double)params[SRV_RATE];
	return 30000.0 + (double)params[SRV_CPU_US] * 1000 + (double)params[SRV_WAIT_US] * 1000 / (double)params[SRV_CONNS];
}

double srv_run_ns(const void *impl, const int64_t *params)
{
	const struct srv_model *m = impl;
	return (double)params[SRV_CONNS] * (m->conn_ns > 0 ? m->conn_ns : SRV_CONN_NS);
}

const struct sc_metric srv_metrics[] = {
	{"requests_per_s", "1/s", "replies per second from the first request to the last reply (the connections open)",
	 SC_MEDIAN},
	{"connect_us", "us", "the generator's time to open one connection, of all it opened before the first request",
	 SC_MEDIAN},
	{"server_cpu_us_per_req", "us", "CPU time of the server (its threads and children) per request", SC_MEDIAN},
	{"client_cpu_us_per_req", "us", "CPU time of the load generator per request", SC_MEDIAN},
	{"server_rss_kb", "KiB", "the server process's peak resident memory", SC_MAX},
	{"child_rss_kb", "KiB", "the largest peak of a process the server started (0: none)", SC_MAX},
	{0},
};

void srv_measure(const void *state, const int64_t *params, uint64_t ops, double *values)
{
	(void)params;
	const struct srv_state *s = state;
	values[0] = s->requests_s > 0 ? (double)ops / s->requests_s : 0;
	values[1] = s->conns ? s->connect_s * 1e6 / s->conns : 0;
	values[2] = ops ? s->server_cpu_s * 1e6 / (double)ops : 0;
	values[3] = ops ? s->client_cpu_s * 1e6 / (double)ops : 0;
	values[4] = (double)s->server_rss_kb;
	values[5] = (double)s->child_rss_kb;
}

/* The coroutine server of one thread: an acceptor coroutine on the (non-blocking) listener, and a coroutine
 * per connection it accepts. */
struct coro_run {
	struct srv_state *s;
	struct coro_sched *sched;
	int err;
	char why[160];
};

struct coro_conn {
	struct coro_run *run;
	int fd;
};

static void coro_fail(struct coro_run *r, int err, const char *what)
{
	if (!r->err) {
		r->err = err;
		snprintf(r->why, sizeof(r->why), "%s: %s", what, strerror(-err));
	}
}

static void coro_handle(void *p)
{
	struct coro_conn *c = p;
	char *buf = malloc(c->run->s->size);
	int rc = buf ? 1 : -ENOMEM;
	while (rc == 1)
		rc = srv_serve_one(c->run->s, c->fd, buf);
	if (rc < 0)
		coro_fail(c->run, rc, "a connection");
	close(c->fd);
	free(buf);
	free(c);
}

static void coro_acceptor(void *p)
{
	struct coro_run *r = p;
	for (;;) {
		int fd = cio_accept(r->s->listen_fd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (!srv_stopping(r->s))
				coro_fail(r, -errno, "accept");
			return;
		}
		struct coro_conn *c = malloc(sizeof(*c));
		int err = c ? 0 : -ENOMEM;
		if (c) {
			*c = (struct coro_conn){r, fd};
			err = coro_spawn(r->sched, coro_handle, c);
		}
		if (err) {
			close(fd);
			free(c);
			coro_fail(r, err, "a coroutine for a connection");
			return;
		}
	}
}

int srv_serve_coroutines(struct srv_state *s, char *why, size_t len)
{
	struct coro_run r = {.s = s};
	int fl = fcntl(s->listen_fd, F_GETFL), err = coro_sched_create(s->coro, &r.sched);
	if (err) {
		snprintf(why, len, "the coroutine scheduler: %s", strerror(-err));
		return err;
	}
	if (fl >= 0)
		fcntl(s->listen_fd, F_SETFL, fl | O_NONBLOCK); /* the acceptor parks, never blocks the thread */
	if (!(err = coro_spawn(r.sched, coro_acceptor, &r)))
		err = coro_sched_run(r.sched);
	coro_sched_destroy(r.sched);
	if (err)
		snprintf(why, len, "the coroutine scheduler: %s", strerror(-err));
	else if ((err = r.err))
		snprintf(why, len, "%s", r.why);
	return err;
}


int srv_fork_workers(struct srv_state *s, int (*child)(struct srv_state *s), char *why, size_t len)
{
	int err = 0;
	unsigned started = 0;
	pid_t self = getpid();
	for (; started < s->workers; started++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(cc_proc_child_init(self) == 0 && child(s) == 0 ? 0 : 1);
		if (pid < 0) {
			err = -errno;
			snprintf(why, len, "forking process %u of %u: %s", started + 1, s->workers, strerror(errno));
			srv_stop(s); /* the ones started end */
			break;
		}
	}
	for (unsigned k = 0; k < started; k++) {
		int st;
		pid_t pid;
		while ((pid = wait(&st)) < 0 && errno == EINTR)
			;
		if (pid < 0)
			break;
		if ((!WIFEXITED(st) || WEXITSTATUS(st)) && !err) {
			err = -EPROTO;
			snprintf(why, len, "server process %d %s %d", (int)pid,
				 WIFSIGNALED(st) ? "was killed by signal" : "exited with", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		}
	}
	return err;
}

int srv_one_conn_per_worker(const int64_t *params, char *why, size_t len)
{
	if (params[SRV_CONNS] <= params[SRV_WORKERS])
		return 0;
	snprintf(why, len, "conns=%lld > workers=%lld: a worker serves one connection at a time, and the generator keeps "
			   "all of them open", (long long)params[SRV_CONNS], (long long)params[SRV_WORKERS]);
	return -EINVAL;
}

struct listener_thread {
	pthread_t t;
	struct srv_state *s;
	int (*one)(struct srv_state *s, int lfd, char *why, size_t len);
	int lfd, err;
	char why[160];
};

static void *listener_main(void *p)
{
	struct listener_thread *l = p;
	l->err = l->one(l->s, l->lfd, l->why, sizeof(l->why));
	return NULL;
}

int srv_serve_threads(struct srv_state *s, int (*one)(struct srv_state *s, int lfd, char *why, size_t len), char *why,
		      size_t len)
{
	if (s->threads <= 1)
		return one(s, s->listen_fd, why, len);
	struct listener_thread *l = calloc(s->threads, sizeof(*l));
	unsigned started = 0;
	int err = l ? 0 : -ENOMEM;
	for (; l && started < s->threads && !err; started++) {
		int fd = s->listen_fd, on = 1;
		if (started > 0 && ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
				    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
				    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0 ||
				    bind(fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) < 0 || listen(fd, SOMAXCONN) < 0)) {
			err = -errno;
			snprintf(why, len, "the listener of thread %u (SO_REUSEPORT on 127.0.0.1:%u): %s", started + 1,
				 ntohs(s->addr.sin_port), strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		l[started] = (struct listener_thread){.s = s, .one = one, .lfd = fd};
		int rc = pthread_create(&l[started].t, NULL, listener_main, &l[started]);
		if (rc) {
			err = -rc;
			snprintf(why, len, "thread %u of %u: %s", started + 1, s->threads, strerror(rc));
			if (started > 0)
				close(fd);
			break;
		}
	}
	if (err)
		srv_stop(s); /* the threads started end */
	for (unsigned k = 0; k < started; k++) {
		pthread_join(l[k].t, NULL);
		if (k > 0)
			close(l[k].lfd);
		if (l[k].err && !err) {
			err = l[k].err;
			snprintf(why, len, "thread %u: %s", k + 1, l[k].why);
		}
	}
	if (!l)
		snprintf(why, len, "%u threads: %s", s->threads, strerror(ENOMEM));
	free(l);
	return err;
}

int srv_accept_blocking(struct srv_state *s, char *why, size_t len)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (srv_stopping(s)) /* the listener shut down */
			return -ECANCELED;
		int err = -errno;
		snprintf(why, len, "accept: %s", strerror(errno));
		return err;
	}
}

int srv_conn_serve(struct srv_state *s, struct srv_table *t, struct srv_conn *c, char *why, size_t len)
{
	int rc = srv_conn_step(s, c);
	if (rc < 0)
		snprintf(why, len, "a connection: %s", strerror(-rc));
	else if (rc == 1)
		srv_table_close(t, c);
	return rc;
}
