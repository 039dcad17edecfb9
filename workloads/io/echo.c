/* The echo responder, exchange and channel pool shared by io/tcp and io/pipe (see echo.h). */
#define _GNU_SOURCE
#include "echo.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"
#include "work/workload.h"
#include "coro/io.h"

void echo_chan_close(struct echo_chan ch)
{
	close(ch.rd);
	if (ch.wr != ch.rd)
		close(ch.wr);
}

/* ---- the responder ---- */

static bool write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

static _Noreturn void serve(int source, echo_admit_fn admit)
{
	signal(SIGPIPE, SIG_IGN); /* a client gone mid-reply ends its channel, not the responder */
	/* one channel per concurrent client: as many descriptors as we may have */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	size_t nfds = rl.rlim_cur < (1u << 20) ? (size_t)rl.rlim_cur : (1u << 20);
	int *reply_to = malloc(nfds * sizeof(*reply_to)); /* indexed by the descriptor read */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = source};
	if (!reply_to || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, source, &ev) < 0)
		_exit(1);
	/* A descriptor kept in reserve: when accepting fails for want of descriptors, it is given up to take
	 * the waiting channel and close it at once, so that its client fails with a reason instead of waiting
	 * for ever (the source cannot stay in the epoll set with a channel nobody takes: it would spin). */
	int spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	static char buf[65536];
	for (;;) {
		struct epoll_event got[64];
		int n = epoll_wait(ep, got, 64, -1);
		for (int k = 0; k < n; k++) {
			int fd = got[k].data.fd;
			if (fd == source) {
				struct echo_chan ch;
				int got;
				while ((got = admit(source, &ch)) > 0) {
					struct epoll_event cev = {.events = EPOLLIN, .data.fd = ch.rd};
					if ((size_t)ch.rd >= nfds || epoll_ctl(ep, EPOLL_CTL_ADD, ch.rd, &cev) < 0) {
						echo_chan_close(ch);
						continue;
					}
					reply_to[ch.rd] = ch.wr;
				}
				if (got < 0 && (errno == EMFILE || errno == ENFILE) && spare >= 0) {
					close(spare);
					if (admit(source, &ch) > 0)
						echo_chan_close(ch);
					spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
				} else if (got < 0) { /* no new channels: serve the open ones */
					epoll_ctl(ep, EPOLL_CTL_DEL, source, NULL);
				}
				continue;
			}
			struct echo_chan ch = {fd, reply_to[fd]};
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			for (ssize_t j = 0; j < r; j++)
				buf[j] = (char)toupper((unsigned char)buf[j]);
			if (r <= 0 || !write_all(ch.wr, buf, (size_t)r))
				echo_chan_close(ch); /* closing also takes it out of the epoll set */
		}
	}
}

/* The CPU a server_cpu value names, or -1 for anywhere. */
static int resolve_cpu(int64_t cpu)
{
	cpu_set_t allowed;
	if (cpu != ECHO_CPU_LAST)
		return (int)cpu;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -1;
	for (int k = CPU_SETSIZE - 1; k >= 0; k--)
		if (CPU_ISSET(k, &allowed))
			return k;
	return -1;
}

int echo_check_cpu(int64_t cpu, char *why, size_t len)
{
	cpu_set_t allowed;
	if (cpu < 0 || sched_getaffinity(0, sizeof(allowed), &allowed) < 0 || CPU_ISSET((int)cpu, &allowed))
		return 0;
	snprintf(why, len, "server_cpu=%" PRId64 ": concur may not run on CPU %" PRId64
		 " (see the cpuset in concur doctor); use -2 for the last CPU it may use", cpu, cpu);
	return -EINVAL;
}

pid_t echo_start(int source, echo_admit_fn admit, int64_t cpu)
{
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (cc_proc_child_init(parent) < 0)
			_exit(127);
		serve(source, admit);
	}
	if (pid < 0)
		return -errno;
	int where = resolve_cpu(cpu);
	cpu_set_t one;
	CPU_ZERO(&one);
	if (where >= 0) {
		CPU_SET(where, &one);
		if (sched_setaffinity(pid, sizeof(one), &one) < 0) {
			int e = errno;
			echo_stop(pid);
			return -e;
		}
	}
	return pid;
}

void echo_stop(pid_t responder)
{
	kill(responder, SIGKILL);
	while (waitpid(responder, NULL, 0) < 0 && errno == EINTR)
		;
}

/* ---- the client ---- */

uint64_t echo_exchange(struct echo_chan ch, size_t size, uint64_t i)
{
	char *msg = calloc(2, size); /* not on the stack: coroutine stacks are small */
	if (!msg)
		return 0;
	for (size_t k = 0; k < size; k++)
		msg[k] = (char)('a' + (i + k) % 26);
	ssize_t got = 0;
	bool ok = cio_write_full(ch.wr, msg, size) == (ssize_t)size &&
		  (got = cio_read_full(ch.rd, msg + size, size)) == (ssize_t)size;
	if (!ok) /* the responder turned the channel away (it ran out of descriptors) or is gone */
		wl_fail("the echo exchange failed: %s", got >= 0 && errno != EPIPE ? "the responder closed the channel "
				"(out of descriptors?)" : strerror(errno));
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t k = 0; ok && k < size; k++)
		h = (h ^ (unsigned char)msg[size + k]) * 0x100000001b3ull;
	free(msg);
	return ok ? h : 0;
}

void echo_pool_init(struct echo_pool *p)
{
	pthread_mutex_init(&p->lock, NULL);
	p->n = 0;
	p->owner = getpid();
}

bool echo_pool_take(struct echo_pool *p, struct echo_chan *ch)
{
	pthread_mutex_lock(&p->lock);
	if (p->owner != getpid()) { /* a forked worker: these belong to the parent */
		while (p->n)
			echo_chan_close(p->chan[--p->n]);
		p->owner = getpid();
	}
	bool got = p->n > 0;
	if (got)
		*ch = p->chan[--p->n];
	pthread_mutex_unlock(&p->lock);
	return got;
}

void echo_pool_put(struct echo_pool *p, struct echo_chan ch)
{
	pthread_mutex_lock(&p->lock);
	bool kept = p->n < ECHO_POOL;
	if (kept)
		p->chan[p->n++] = ch;
	pthread_mutex_unlock(&p->lock);
	if (!kept)
		echo_chan_close(ch);
}

void echo_pool_destroy(struct echo_pool *p)
{
	while (p->n)
		echo_chan_close(p->chan[--p->n]);
	pthread_mutex_destroy(&p->lock);
}
