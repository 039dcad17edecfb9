/* The IO layer; see io.h. */
#define _GNU_SOURCE
#include "coro/io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "base/gil.h"
#include "coro/sched.h"

int cio_sleep_ns(int64_t ns)
{
	if (coro_running()) {
		coro_sleep_ns(ns);
		return 0;
	}
	struct timespec ts = {ns / 1000000000, ns % 1000000000};
	int rc;
	cc_gil_blocking_begin();
	while ((rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts)) == EINTR)
		;
	cc_gil_blocking_end();
	if (rc) {
		errno = rc;
		return -1;
	}
	return 0;
}

int cio_wait(int fd, short events)
{
	if (coro_running()) {
		int r = coro_wait_fd(fd, (unsigned)events);
		if (r >= 0)
			return r;
		if (r != -EPERM) {
			errno = -r;
			return -1;
		}
	}
	struct pollfd p = {fd, events, 0};
	int n;
	cc_gil_blocking_begin();
	while ((n = poll(&p, 1, -1)) < 0 && errno == EINTR)
		;
	cc_gil_blocking_end();
	return n < 0 ? -1 : p.revents;
}

/*
 * Inside a coroutine: one attempt without waiting (RWF_NOWAIT works on sockets
 * and pipes whatever the descriptor's own blocking mode); if it would wait,
 * park until ready and try again. Where waiting cannot help (a regular file,
 * or still not ready after the poller said so), the plain call.
 */
static ssize_t rw_coro(int fd, void *buf, size_t n, unsigned events)
{
	struct iovec iov = {buf, n};
	bool woken_ready = false;
	for (;;) {
		ssize_t r = events == POLLIN ? preadv2(fd, &iov, 1, -1, RWF_NOWAIT)
					     : pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
		if (r >= 0 || (errno != EAGAIN && errno != EOPNOTSUPP))
			return r;
		if (errno == EOPNOTSUPP || woken_ready)
			break;
		int rev = coro_wait_fd(fd, events);
		if (rev == -EPERM)
			break;
		if (rev < 0) {
			errno = -rev;
			return -1;
		}
		woken_ready = (rev & (int)events) && !(rev & (POLLERR | POLLHUP));
	}
	return events == POLLIN ? read(fd, buf, n) : write(fd, buf, n);
}

ssize_t cio_read(int fd, void *buf, size_t n)
{
	if (coro_running())
		return rw_coro(fd, buf, n, POLLIN);
	cc_gil_blocking_begin();
	ssize_t r = read(fd, buf, n);
	cc_gil_blocking_end();
	return r;
}

ssize_t cio_write(int fd, const void *buf, size_t n)
{
	if (coro_running())
		return rw_coro(fd, (void *)buf, n, POLLOUT);
	cc_gil_blocking_begin();
	ssize_t r = write(fd, buf, n);
	cc_gil_blocking_end();
	return r;
}

ssize_t cio_read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = cio_read(fd, (char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t cio_write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = cio_write(fd, (const char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int cio_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	if (!coro_running()) {
		cc_gil_blocking_begin();
		int c = accept4(fd, addr, len, SOCK_CLOEXEC);
		cc_gil_blocking_end();
		return c;
	}
	for (;;) {
		if (cio_wait(fd, POLLIN) < 0)
			return -1;
		int c = accept4(fd, addr, len, SOCK_CLOEXEC);
		if (c >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return c; /* EAGAIN: another acceptor took it first */
	}
}

int cio_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (!coro_running()) {
		cc_gil_blocking_begin();
		int rc = connect(fd, addr, len);
		cc_gil_blocking_end();
		return rc;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
		return -1;
	int rc = connect(fd, addr, len), err = errno;
	if (rc < 0 && err == EINPROGRESS) {
		socklen_t l = sizeof(err);
		rc = cio_wait(fd, POLLOUT) < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 ? -1 : 0;
		if (rc == 0 && err)
			rc = -1;
		else if (rc < 0)
			err = errno;
	}
	if (!(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl);
	errno = err;
	return rc;
}
