/*
 * concur serve: one IO model of the server/ scenarios alone on 127.0.0.1 (or --bind's address) until SIGINT or SIGTERM, so
 * that a load generator or a client of the user's own can be aimed at it. Requests are records of
 * `size` bytes (--param size=N, default 64), each answered upper-cased once whole; --param cpu_us and
 * wait_us add work and waiting to every request, --workers sizes a server that has a fixed number of
 * processes or threads. After the signal the server stops accepting and ends when its clients have
 * closed their connections.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cli/args.h"
#include "cli/verbs.h"
#include "core/exitcodes.h"
#include "core/registry.h"
#include "scenarios/server/server.h"

static struct srv_state *serving;
static struct {
	pthread_mutex_t m;
	pthread_cond_t cond;
	bool done; /* the waiter has given the stop: the descriptors it touches may close */
} waiter = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};

/* SIGINT and SIGTERM are taken by this thread alone (every other has them blocked): a handler would run in
 * whichever thread the kernel picks, perhaps one of the server's asleep where it cannot act at once. */
static void *wait_stop(void *set)
{
	int sig;
	if (sigwait(set, &sig) == 0)
		srv_stop(serving);
	pthread_mutex_lock(&waiter.m);
	waiter.done = true;
	pthread_cond_signal(&waiter.cond);
	pthread_mutex_unlock(&waiter.m);
	return NULL;
}

int cli_serve(const char *name, const char *host, int port, const struct cc_select *sel)
{
	char full[128], list[512] = "";
	snprintf(full, sizeof(full), "%s%s", strchr(name, '/') ? "" : "server/", name);
	const struct wl_desc *wl = wl_find(full);
	for (unsigned k = 0; k < wl_count; k++)
		if (wl_all[k]->cls == WL_SERVER)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? ", " : "", wl_all[k]->name);
	if (!wl || wl->cls != WL_SERVER || !wl->scenario) {
		char why[700];
		snprintf(why, sizeof(why), "'%s' is not an IO model (%s)", name, list);
		return cli_usage_error("serve", why);
	}
	int64_t params[WL_MAX_PARAMS];
	for (unsigned k = 0; k < wl_param_count(wl); k++)
		params[k] = wl->params[k].def;
	char why[256];
	for (unsigned k = 0; k < sel->nparams; k++) {
		int at = wl_param_index(wl, sel->params[k].name);
		if (at < 0 || (sel->params[k].wl && sel->params[k].wl != wl)) {
			snprintf(why, sizeof(why), "--param: %s has no parameter '%s'", full, sel->params[k].name);
			return cli_usage_error("serve", why);
		}
		if (sel->params[k].nvalues != 1)
			return cli_usage_error("serve", "--param: one value each: a server is not a sweep");
		params[at] = sel->params[k].values[0];
	}
	if (sel->workers_auto || sel->nworkers > 1)
		return cli_usage_error("serve", "--workers: one count: a server is not a sweep");
	if (sel->nworkers)
		params[SRV_WORKERS] = sel->workers[0];
	/* what this build and machine allow (io-uring needs liburing), for one client: the connection counts of
	 * concur's own generator do not apply */
	params[SRV_CONNS] = 1;
	if (wl->scenario->plannable && wl->scenario->plannable(wl->scenario->impl, params, why, sizeof(why))) {
		fprintf(stderr, "concur: serve: %s: %s\n", full, why);
		return CC_EXIT_FAIL;
	}
	serving = mmap(NULL, sizeof(*serving), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (serving == MAP_FAILED) {
		fprintf(stderr, "concur: serve: %s\n", strerror(errno));
		return CC_EXIT_FAIL;
	}
	serving->model = wl->scenario->impl;
	serving->coro = &sel->mopts.coro;
	srv_prepare(serving, params);
	struct in_addr at_host = {htonl(INADDR_LOOPBACK)}; /* loopback unless the user asks for another */
	if (host && inet_pton(AF_INET, host, &at_host) != 1)
		return cli_usage_error("serve", "--bind: not an IPv4 address");
	if (srv_listen(serving, at_host.s_addr, port, why, sizeof(why))) {
		fprintf(stderr, "concur: serve: %s\n", why);
		return CC_EXIT_FAIL;
	}
	sigset_t stops;
	pthread_t waiting;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stops, NULL); /* before the server starts a thread or a process */
	pthread_attr_t detached; /* never joined: the processes a server forks do not have it to join */
	pthread_attr_init(&detached);
	pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&waiting, &detached, wait_stop, &stops);
	pthread_attr_destroy(&detached);
	if (rc) {
		fprintf(stderr, "concur: serve: a thread for the signals: %s\n", strerror(rc));
		return CC_EXIT_FAIL;
	}
	char at[INET_ADDRSTRLEN] = "?";
	inet_ntop(AF_INET, &serving->addr.sin_addr, at, sizeof(at));
	printf("concur: serve: %s on %s:%u: requests of %zu bytes, answered upper-cased; Ctrl-C stops\n", full, at,
	       ntohs(serving->addr.sin_port), serving->size);
	fflush(stdout);
	why[0] = 0;
	int err = serving->model->serve(serving, why, sizeof(why));
	if (!atomic_load(&serving->stop)) /* ended by itself (an error): the waiter need wait no more */
		pthread_kill(waiting, SIGTERM);
	pthread_mutex_lock(&waiter.m);
	while (!waiter.done)
		pthread_cond_wait(&waiter.cond, &waiter.m);
	pthread_mutex_unlock(&waiter.m);
	fprintf(stderr, "concur: serve: %" PRIu64 " requests answered%s%s\n", (uint64_t)atomic_load(&serving->served),
		err ? "; " : "", err ? why : "");
	close(serving->listen_fd);
	if (serving->wake_fd >= 0)
		close(serving->wake_fd);
	munmap(serving, sizeof(*serving));
	return err ? CC_EXIT_FAIL : CC_EXIT_OK;
}
