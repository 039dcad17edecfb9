/*
 * What every ipc/ scenario shares: two roles exchanging checked messages of `size` bytes over one kind
 * of channel, either as a ping-pong (stream=0: a message there and back, the latency) or streaming
 * (stream=1: messages one way, the receiver acknowledging every window, the bandwidth). A channel file
 * fills in a struct ipc_chan (how to open it, and where it differs from plain read/write on file
 * descriptors) and its descriptor with IPC_SCENARIO and IPC_PARAMS; the rest is here.
 *
 * Every message carries its sequence number and bytes derived from it, checked on arrival, so a channel
 * that loses, reorders, truncates or corrupts data fails the cell.
 */
#ifndef CONCUR_IPC_CHANNEL_H
#define CONCUR_IPC_CHANNEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "work/scenario.h"

enum { IPC_SIZE, IPC_STREAM };

/* Streaming: the receiver acknowledges every this many bytes (or 64 messages, whichever is fewer), so
 * that no channel holds more in flight: UDP drops what its receive buffer cannot take. */
#define IPC_WINDOW_BYTES (64 << 10)

struct ipc_state;

struct ipc_chan {
	bool datagram; /* one call carries one whole message (and an acknowledgement is one message) */
	/* Opens the channel for messages of `size` bytes: s->fd[d][0] reads and s->fd[d][1] writes direction d
	 * (0: role 0 to role 1; 1: back). 0, or -errno with why. */
	int (*open)(struct ipc_state *s, size_t size, char *why, size_t len);
	/* Optional: the largest message this machine lets it carry, by trying (0 if `size` fits, else -EINVAL
	 * with why); the plan leaves larger sizes out and says why. */
	int (*carries)(size_t size, char *why, size_t len);
	/* Optional, where plain write/read (send/recv for datagrams) on the descriptors do not do: one
	 * message (or a part of one, for a byte stream) in direction d; bytes moved, or -errno. */
	ssize_t (*send)(struct ipc_state *s, int d, const void *m, size_t n);
	ssize_t (*recv)(struct ipc_state *s, int d, void *m, size_t n);
	/* Optional: wakes a role blocked on the channel (after `stopped` is set); default: shuts down
	 * sockets, and drains and poisons pipes and FIFOs through a descriptor of its own. */
	void (*wake)(struct ipc_state *s);
	/* Optional: what open made besides the descriptors (closed by the shared code). */
	void (*close)(struct ipc_state *s);
};

struct ipc_state {
	const struct ipc_chan *chan; /* first: set by the harness (sc_desc.impl) */
	int fd[2][2];                /* [direction][0 read, 1 write]; -1: none */
	bool sock[2];                /* direction d is a socket (send without SIGPIPE), else a pipe (write) */
	size_t size;
	atomic_bool stopped;         /* a role failed: the others give up at their next step */
	void *mem;                   /* the channel's own shared memory (shm rings) */
	size_t mem_bytes;
	char name[2][48];            /* named channels (message queues) */
};

int ipc_setup(void *state, const int64_t *params, unsigned roles, char *why, size_t len);
void ipc_teardown(void *state, unsigned roles);
void ipc_stop(void *state);
int ipc_role(struct sc_role *r, char *why, size_t len);
int ipc_plannable(const void *impl, const int64_t *params, char *why, size_t len);
int64_t ipc_bytes_per_op(const int64_t *params);
double ipc_op_ns(const int64_t *params);

/* Channels of file descriptors run as coroutines too (non-blocking, waiting in the coroutine runtime):
 * IPC_FDS; a channel a coroutine cannot wait on (a futex, a spin) is IPC_THREADS_PROCESSES. */
#define IPC_FDS (SC_THREADS | SC_PROCESSES | SC_COROUTINES)
#define IPC_THREADS_PROCESSES (SC_THREADS | SC_PROCESSES)

#define IPC_SCENARIO(chan_, executors_, ...)                                                            \
	{                                                                                                \
		.roles = 2, .executors = (executors_), .state_bytes = sizeof(struct ipc_state),          \
		.op = "round trip (stream=0) or message (stream=1)", .impl = (chan_), .plannable = ipc_plannable, .setup = ipc_setup,        \
		.teardown = ipc_teardown, .role = ipc_role, .stop = ipc_stop,                            \
		.bytes_per_op = ipc_bytes_per_op, __VA_ARGS__                                            \
	}

#define IPC_PARAMS                                                                                     \
	(const struct wl_param[])                                                                      \
	{                                                                                              \
		{"size", WL_BYTES, 64, 8, 1 << 20, "message bytes"},                                   \
		    {"stream", WL_INT, 0, 0, 1,                                                        \
		     "0: ping-pong, each message echoed (latency); 1: one way, acknowledged every 64 KiB " \
		     "(bandwidth)"},                                                                   \
		{                                                                                      \
			0                                                                              \
		}                                                                                      \
	}

#define IPC_SWEEP "size=8,512,4K,64K,1M;stream=0,1"
#define IPC_OPS 1000

#endif
