/*
 * The IO layer: the one header workloads use for anything that waits.
 *
 * Each call behaves like the system call it is named after, returning -1 with
 * errno set on failure. Called from a thread or a process it is that plain
 * blocking call. Called from inside a coroutine it never blocks the thread:
 * it tries the operation without waiting and, if it would wait, parks the
 * coroutine on the scheduler's poller until the descriptor is ready, so the
 * thread runs other coroutines meanwhile — what gevent's monkey-patching does
 * to Python's socket module, without patching anything.
 *
 * In a thread that runs under a global interpreter lock (base/gil.h: the gil model), every blocking
 * call releases the lock and takes it back after, as CPython's blocking calls do.
 *
 * Regular files cannot be waited on (they are always "ready"); inside a
 * coroutine a read or write of one that would wait is the blocking call.
 */
#ifndef CONCUR_CORO_IO_H
#define CONCUR_CORO_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

int cio_sleep_ns(int64_t ns);
ssize_t cio_read(int fd, void *buf, size_t n);
ssize_t cio_write(int fd, const void *buf, size_t n);
/* Reads or writes all n bytes unless end of file or an error comes first; returns the bytes done
 * (less than n only at end of file), or -1. */
ssize_t cio_read_full(int fd, void *buf, size_t n);
ssize_t cio_write_full(int fd, const void *buf, size_t n);
/* The accepted socket is close-on-exec. Inside coroutines a listener shared by several
 * acceptors must be non-blocking. */
int cio_accept(int fd, struct sockaddr *addr, socklen_t *len);
int cio_connect(int fd, const struct sockaddr *addr, socklen_t len);
/* Waits until fd is ready for events (POLLIN, POLLOUT): the poll revents, or -1. */
int cio_wait(int fd, short events);

#endif
