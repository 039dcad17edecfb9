/*
 * What io/tcp and io/pipe share: an upper-casing echo responder forked at
 * setup (the course notes' server), the client's request/reply exchange, and a
 * per-process pool of open channels so that tasks reuse them.
 *
 * A channel is the pair of descriptors one side reads from and writes to:
 * the same socket twice for TCP, two pipes for io/pipe.
 */
#ifndef CONCUR_WL_ECHO_H
#define CONCUR_WL_ECHO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct echo_chan {
	int rd, wr;
};

void echo_chan_close(struct echo_chan ch);

/*
 * Forks the responder. It waits on `source` for new channels (admit returns 1
 * with one in *ch, 0 when there is none now, or -1 when source has ended;
 * source is non-blocking), reads each channel, and writes back what it read in upper case
 * until the channel ends. Source stays open in the caller. The responder runs
 * on CPU `cpu` (see ECHO_CPU_*). Returns the responder's pid or -errno; it dies
 * with the caller.
 */
typedef int (*echo_admit_fn)(int source, struct echo_chan *ch);
pid_t echo_start(int source, echo_admit_fn admit, int64_t cpu);

/*
 * Where the responder runs matters more than anything else here: on this
 * kind of VM a reply that wakes a client on another CPU costs ~25 us, on the
 * same CPU a few. So it is a parameter (server_cpu), pinned by default to the
 * last CPU concur may use: the first worker (on the first core) then always
 * crosses CPUs. ECHO_CPU_ANY leaves it to the scheduler, which makes the
 * figures bimodal.
 */
#define ECHO_CPU_ANY (-1)
#define ECHO_CPU_LAST (-2)
#define ECHO_CPU_PARAM                                                                                       \
	{"server_cpu", WL_INT, ECHO_CPU_LAST, ECHO_CPU_LAST, 4095,                                           \
	 "CPU the responder runs on: -2 the last one concur may use, -1 anywhere, else that CPU"}
/* validate: a CPU number must be one concur may use. */
int echo_check_cpu(int64_t cpu, char *why, size_t len);
/* Kills and reaps the responder. */
void echo_stop(pid_t responder);

/*
 * Writes `size` bytes of lower-case text, different for every task i, and reads the
 * reply: its FNV-1a hash, or 0 if the exchange failed (a checksum mismatch shows it).
 * Through the IO layer: a thread blocks, a coroutine parks.
 */
uint64_t echo_exchange(struct echo_chan ch, size_t size, uint64_t i);

/* Open channels kept for reuse. A forked worker drops the ones it inherited rather than share
 * them with its parent. */
#define ECHO_POOL 256
struct echo_pool {
	pthread_mutex_t lock;
	struct echo_chan chan[ECHO_POOL];
	unsigned n;
	pid_t owner;
};

void echo_pool_init(struct echo_pool *p);
/* A pooled channel of this process, or false if there is none. */
bool echo_pool_take(struct echo_pool *p, struct echo_chan *ch);
/* Keeps ch for reuse, or closes it when the pool is full. */
void echo_pool_put(struct echo_pool *p, struct echo_chan ch);
void echo_pool_destroy(struct echo_pool *p);

#endif
