/*
 * What every server/ scenario shares: the notes' upper-casing echo served on 127.0.0.1 by one IO model,
 * and concur's load generator. Role 0 is the generator: `conns` connections, each with one request of
 * `size` bytes outstanding (a closed loop), every reply checked (upper-cased, complete) and timed from
 * its request; role 1 is the server, a process of its own (its threads and children are its own
 * business), placed by the pair policy like any role, whose CPU time and peak memory are measured apart
 * from the generator's. A request costs the server `cpu_us` of work and `wait_us` of waiting, so that
 * computing and waiting services are both measured.
 *
 * An IO model is one file: a struct srv_model (its serve function) and its descriptor (SRV_SCENARIO,
 * SRV_PARAMS); the listener, the generator, the stop and the figures are here.
 */
#ifndef CONCUR_SERVER_H
#define CONCUR_SERVER_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "work/scenario.h"

enum { SRV_CONNS, SRV_SIZE, SRV_CPU_US, SRV_WAIT_US, SRV_WORKERS, SRV_RATE, SRV_RECONNECT, SRV_THREADS };

struct srv_state;
struct srv_table;

struct srv_model {
	/* Serves the echo on s->listen_fd until s->stop is set and every connection it accepted has been
	 * closed by the generator; every thread or process it started has ended when it returns. 0, or
	 * -errno with why. */
	int (*serve)(struct srv_state *s, char *why, size_t len);
	/* Optional: whether it can serve these parameters (select: descriptors below FD_SETSIZE); 0, or
	 * -EINVAL with why. */
	int (*plannable)(const int64_t *params, char *why, size_t len);
	/* For the estimates: what a connection costs it beside its requests (0: SRV_CONN_NS). */
	double conn_ns;
};
/* A connection opened, accepted and closed on loopback by a server that starts nothing for it: 10-20 us
 * measured on a 2-vCPU VM (2026-12-04) for the multiplexing servers. */
#define SRV_CONN_NS 20000.0

struct srv_state {
	const struct srv_model *model; /* first: set by the harness (sc_desc.impl) */
	int listen_fd;                 /* 127.0.0.1, an ephemeral port */
	struct sockaddr_in addr;
	size_t size;
	unsigned conns, workers;
	unsigned threads;   /* a multiplexing server's threads, each with a listener of its own (SO_REUSEPORT) */
	uint64_t cpu_steps; /* cpu_us of busy work */
	int64_t wait_ns;
	uint64_t rate;      /* the generator's requests per second (open loop); 0: closed loop */
	bool reconnect;     /* closed loop: a new connection for every request (the notes' chat clients) */
	atomic_bool stop;   /* the generator is done (or a role failed): the server winds down */
	int wake_fd;        /* an eventfd the stop makes readable: wakes a multiplexing thread with nothing else to do */
	atomic_uint_fast64_t served; /* requests answered, by any thread or process of the server */
	/* set by the roles as they end */
	double server_cpu_s, client_cpu_s;
	double connect_s;  /* the generator opening every connection */
	double requests_s; /* ... and from its first request to its last reply */
	long server_rss_kb, child_rss_kb;
	const struct coro_opts *coro;
};

/* The answer to a whole request in buf, in place: the work, the wait, then upper-cased. */
void srv_answer(struct srv_state *s, char *buf);
/* One request on a connection that blocks (a thread, a process) or parks (a coroutine: cio_*): 1 answered,
 * 0 the generator closed it, -errno. */
int srv_serve_one(struct srv_state *s, int fd, char *buf);

/* A connection of a server that never blocks (select, poll, epoll): how far its request and reply are. */
struct srv_conn {
	int fd;
	size_t got, sent;
	bool replying;
	char *buf; /* size bytes */
};
/* Makes as much progress as the socket allows without blocking: 0 open (c->replying says which way it
 * waits), 1 closed by the generator, -errno. */
int srv_conn_step(struct srv_state *s, struct srv_conn *c);
/* Accepts the next connection on the shared listener, blocking: its descriptor; -ECANCELED after the stop
 * (the listener was shut down); or -errno with why. */
int srv_accept_blocking(struct srv_state *s, char *why, size_t len);
/* srv_conn_step on a connection of table t, closing it when the generator is done with it: 0 open, 1 closed,
 * or -errno with why. */
int srv_conn_serve(struct srv_state *s, struct srv_table *t, struct srv_conn *c, char *why, size_t len);
/* Accepts one connection on listener lfd without blocking, non-blocking itself: its descriptor, -EAGAIN
 * when none is waiting, or -errno (after the stop: the listener was shut down). */
int srv_accept_nonblocking(int lfd);
/* A multiplexing server on s->threads threads: one(s, lfd) on each, thread 0 on s->listen_fd and the others
 * on listeners of their own bound to the same port (SO_REUSEPORT: the kernel spreads new connections), all
 * joined: 0, or the first -errno with why. */
int srv_serve_threads(struct srv_state *s, int (*one)(struct srv_state *s, int lfd, char *why, size_t len), char *why,
		      size_t len);
/* The connections of a server that never blocks, by descriptor. */
struct srv_table {
	int listen_fd;  /* the listener this table's thread accepts on */
	struct srv_conn **by_fd;
	size_t cap;
	unsigned open;
	bool listening; /* the listener has not been shut down yet */
};
/* Accepts every connection waiting (non-blocking), calling added for each: 0, or -errno with why. After
 * the stop, the listener's end clears t->listening. */
int srv_accept_all(struct srv_state *s, struct srv_table *t, int (*added)(void *arg, struct srv_conn *c), void *arg,
		   char *why, size_t len);
/* A connection of descriptor fd in the table, with room for a request: NULL when memory runs out. */
struct srv_conn *srv_table_add(struct srv_state *s, struct srv_table *t, int fd);
void srv_table_close(struct srv_table *t, struct srv_conn *c);
void srv_table_free(struct srv_table *t);
/* Whether a server that never blocks may end: the listener is shut down and every connection closed. */
static inline bool srv_table_done(const struct srv_table *t) { return !t->listening && !t->open; }

/* Whether the server may end: the stop was given (connections still open are the generator's to close). */
static inline bool srv_stopping(struct srv_state *s) { return atomic_load(&s->stop); }

int srv_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len);
/* One thread's coroutine server: an acceptor coroutine and a coroutine per connection (server/coroutines;
 * coro-pool and hybrid run one on each of their threads or processes). */
int srv_serve_coroutines(struct srv_state *s, char *why, size_t len);

/* The plannable hook of a server whose workers each serve one connection at a time (prefork, thread-pool):
 * not more connections than workers, since the generator keeps every one open. */
int srv_one_conn_per_worker(const int64_t *params, char *why, size_t len);

/* Forks s->workers processes that each run child (0: success) on the shared listener, and waits for all
 * of them: 0, or -errno with why (a process that failed or was killed). */
int srv_fork_workers(struct srv_state *s, int (*child)(struct srv_state *s), char *why, size_t len);

/* The state's settings from the parameters, and as many descriptors as this process may have. */
void srv_prepare(struct srv_state *s, const int64_t *params);
/* The listener, on host:port (host in network order: INADDR_LOOPBACK unless the user asks for another; port
 * 0: any free one; s->addr says which): 0, or -errno with why. */
int srv_listen(struct srv_state *s, uint32_t host, int port, char *why, size_t len);
void srv_teardown(void *state, unsigned roles);
void srv_stop(void *state);
int srv_role(struct sc_role *r, char *why, size_t len);
int srv_plannable(const void *impl, const int64_t *params, char *why, size_t len);
uint64_t srv_total_ops(const int64_t *params, unsigned roles, uint64_t ops);
int srv_verify(const void *state, const int64_t *params, uint64_t ops, char *why, size_t len);
double srv_op_ns(const int64_t *params);
double srv_run_ns(const void *impl, const int64_t *params);
void srv_measure(const void *state, const int64_t *params, uint64_t ops, double *values);
extern const struct sc_metric srv_metrics[];

#define SRV_SCENARIO(model_)                                                                            \
	{                                                                                                \
		.roles = 2, .executors = SC_PROCESSES, .state_bytes = sizeof(struct srv_state),          \
		.op = "a request and its checked reply", .impl = (model_), .plannable = srv_plannable,   \
		.setup = srv_setup, .teardown = srv_teardown, .role = srv_role, .stop = srv_stop,        \
		.total_ops = srv_total_ops, .verify = srv_verify, .metrics = srv_metrics, .measure = srv_measure,              \
		.run_ns = srv_run_ns,                                                                    \
	}

#define SRV_PARAMS                                                                                     \
	(const struct wl_param[])                                                                      \
	{                                                                                              \
		{"conns", WL_INT, 10, 1, 100000, "connections, each with one request outstanding"},    \
			{"size", WL_BYTES, 64, 1, 65536, "bytes of a request and of its reply"},       \
			{"cpu_us", WL_INT, 0, 0, 1000000, "the server's work per request, microseconds"}, \
			{"wait_us", WL_INT, 0, 0, 1000000, "the server's wait per request, microseconds"}, \
			{"workers", WL_INT, 16, 1, 1024, "processes or threads of a server that has a fixed number"}, \
			{"rate", WL_INT, 0, 0, 10000000, "open loop: requests per second, latency from when each was due (0: closed loop)"}, \
			{"reconnect", WL_INT, 0, 0, 1, "1: the generator connects again for every request (closed loop)"}, \
			{"threads", WL_INT, 1, 1, 256, "a multiplexing server's threads, each its own SO_REUSEPORT listener"}, \
		{                                                                                      \
			0                                                                              \
		}                                                                                      \
	}
#define SRV_OPS 1000
#define SRV_SWEEP "conns=1,10,100,1000"
#define SRV_SMOKE ((const int64_t[]){2, 64, 0, 0, 2, 0, 0, 1})

#define SRV_DESC(sym_, name_, summary_, scenario_)                                                     \
	const struct wl_desc sym_ = {.name = (name_), .cls = WL_SERVER, .summary = (summary_),          \
				     .headline = "serve", .params = SRV_PARAMS, .smoke = SRV_SMOKE,             \
				     .default_tasks = SRV_OPS, .task_ns = srv_op_ns, .sweep = SRV_SWEEP,        \
				     .sweep_standard = "conns=1,100,1000",      \
				     .scenario = &(scenario_)}

#endif
