/*
 * The reference probes; see probe.h. Each is small enough to take between two
 * benchmarks (about 40 ms in all, measured) and takes the best of a few tries, so that one
 * preemption does not move it: what moves it is the machine's steady state.
 */
#define _GNU_SOURCE
#include "core/probe.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/clock.h"

const char *const cc_probe_names[CC_PROBE_KINDS] = {"cpu", "mem_bw", "mem_lat", "wake"};
const char *const cc_probe_help[CC_PROBE_KINDS] = {
	"ns for 2^20 steps of a dependent integer multiply-xorshift chain (best of 3)",
	"ns to read 1 MiB of a 64 MiB buffer sequentially (best of 2 passes)",
	"ns per load of a random pointer chase over 64 MiB (one cache line a node)",
	"ns per one-way futex wake-up between threads on two different cores (same CPU on one core)",
};

#define BUF_BYTES (64u << 20)
#define LINE 64
#define CHASE_LOADS 40000
#define WAKE_ROUNDS 200

static struct {
	uint64_t *buf; /* the chase cycle lives in the first word of every line */
	int cpu_a, cpu_b;
} probe = {.cpu_a = -1, .cpu_b = -1};

int cc_probe_find(const char *name)
{
	for (int k = 0; k < CC_PROBE_KINDS; k++)
		if (!strcmp(cc_probe_names[k], name))
			return k;
	return -1;
}

int cc_probe_init(const struct topo *t)
{
	void *p = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	madvise(p, BUF_BYTES, MADV_DONTFORK); /* cell processes are forked from here: they must not copy it */
	madvise(p, BUF_BYTES, MADV_NOHUGEPAGE); /* the same page size every run: THP would move the chase 3x */
	probe.buf = p;
	/* A random single cycle over the lines (Sattolo), fixed seed: the same chase every run. */
	size_t n = BUF_BYTES / LINE, step = LINE / sizeof(uint64_t);
	for (size_t k = 0; k < n; k++)
		probe.buf[k * step] = k;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t k = n - 1; k > 0; k--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = (size_t)(x % k), a = probe.buf[k * step];
		probe.buf[k * step] = probe.buf[j * step];
		probe.buf[j * step] = a;
	}
	if (t && t->ncore >= 2) {
		probe.cpu_a = (int)t->cores[0].pu_os;
		probe.cpu_b = (int)t->cores[1].pu_os;
	} else if (t && t->npu) {
		probe.cpu_a = probe.cpu_b = (int)t->pus[0].pu_os;
	}
	return 0;
}

void cc_probe_fini(void)
{
	if (probe.buf)
		munmap(probe.buf, BUF_BYTES);
	probe.buf = NULL;
}

/* 2^20 steps of a dependent chain. On x86-64 the loop is assembly aligned to 64 bytes, so that where
 * the linker puts it (which changes with any change to concur) cannot change its speed: the probe
 * must follow the machine, not the build. */
static uint64_t cpu_chain(uint64_t x, uint64_t n)
{
#if defined(__x86_64__)
	uint64_t mul = 0x5851f42d4c957f2dull, t;
	__asm__ volatile(".p2align 6\n"
			 "1:\n\t"
			 "imulq %[mul], %[x]\n\t"
			 "addq $1, %[x]\n\t"
			 "movq %[x], %[t]\n\t"
			 "shrq $29, %[t]\n\t"
			 "xorq %[t], %[x]\n\t"
			 "subq $1, %[n]\n\t"
			 "jnz 1b\n"
			 : [x] "+r"(x), [n] "+r"(n), [t] "=&r"(t)
			 : [mul] "r"(mul)
			 : "cc");
#else
	for (uint64_t s = 0; s < n; s++) {
		x = x * 0x5851f42d4c957f2dull + 1;
		x ^= x >> 29;
		__asm__ volatile("" : "+r"(x));
	}
#endif
	return x;
}

static double probe_cpu(void)
{
	double best = 0;
	for (int r = 0; r < 3; r++) {
		int64_t t0 = cc_now_ns();
		uint64_t x = cpu_chain((uint64_t)r + 1, 1u << 20);
		double dt = (double)(cc_now_ns() - t0);
		__asm__ volatile("" ::"r"(x));
		if (!best || dt < best)
			best = dt;
	}
	return best;
}

static double probe_mem_bw(void)
{
	double best = 0;
	for (int r = 0; r < 2; r++) {
		const uint64_t *p = probe.buf;
		uint64_t sum = 0;
		int64_t t0 = cc_now_ns();
		for (size_t k = 0; k < BUF_BYTES / sizeof(uint64_t); k += 4)
			sum += p[k] ^ p[k + 1] ^ p[k + 2] ^ p[k + 3];
		double dt = (double)(cc_now_ns() - t0);
		__asm__ volatile("" ::"r"(sum));
		if (!best || dt < best)
			best = dt;
	}
	return best / (BUF_BYTES >> 20);
}

static double probe_mem_lat(void)
{
	const size_t step = LINE / sizeof(uint64_t);
	uint64_t at = 0;
	int64_t t0 = cc_now_ns();
	for (unsigned k = 0; k < CHASE_LOADS; k++)
		at = probe.buf[at * step];
	double dt = (double)(cc_now_ns() - t0);
	__asm__ volatile("" ::"r"(at));
	return dt / CHASE_LOADS;
}

static void pin_self(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static double cpu_probe_here(void)
{
	int64_t t0 = cc_now_ns();
	uint64_t x = cpu_chain(7, 1u << 17);
	double dt = (double)(cc_now_ns() - t0);
	__asm__ volatile("" ::"r"(x));
	return dt * 8;
}

unsigned cc_probe_cpu_on(const int *cpus, unsigned n, double *out)
{
	cpu_set_t old;
	unsigned got = 0, places = 0;
	bool pinned = cpus && n && sched_getaffinity(0, sizeof(old), &old) == 0;
	/* workers wrap round the places when oversubscribed: the first few hundred name every CPU used */
	unsigned scan = pinned ? (n < 256 ? n : 256) : 1;
	for (unsigned k = 0; k < scan && places < CC_PROBE_MAX_CPUS; k++) {
		bool seen = false;
		for (unsigned j = 0; pinned && j < k && !seen; j++)
			seen = cpus[j] == cpus[k];
		if (seen || (pinned && cpus[k] < 0))
			continue;
		if (pinned)
			pin_self(cpus[k]);
		for (unsigned r = 0; r < CC_PROBE_CELL_SAMPLES; r++)
			out[got++] = cpu_probe_here();
		places++;
	}
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	return got;
}

static atomic_int turn;

static void futex_wait(atomic_int *w, int v) { syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0); }
static void futex_wake(atomic_int *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

/* The partner: waits for its turn (1), hands it back (0). Parks in the kernel every time: the
 * wake-up, not a spin, is what is measured. */
static void *wake_partner(void *arg)
{
	(void)arg;
	if (probe.cpu_b >= 0)
		pin_self(probe.cpu_b);
	for (int r = 0; r < WAKE_ROUNDS; r++) {
		while (atomic_load(&turn) != 1)
			futex_wait(&turn, 0);
		atomic_store(&turn, 0);
		futex_wake(&turn);
	}
	return NULL;
}

static double probe_wake(void)
{
	cpu_set_t old;
	sched_getaffinity(0, sizeof(old), &old);
	if (probe.cpu_a >= 0)
		pin_self(probe.cpu_a);
	atomic_store(&turn, 0);
	pthread_t th;
	double ns = 0;
	if (pthread_create(&th, NULL, wake_partner, NULL) == 0) {
		int64_t t0 = cc_now_ns();
		for (int r = 0; r < WAKE_ROUNDS; r++) {
			atomic_store(&turn, 1);
			futex_wake(&turn);
			while (atomic_load(&turn) != 0)
				futex_wait(&turn, 1);
		}
		ns = (double)(cc_now_ns() - t0) / (2.0 * WAKE_ROUNDS);
		pthread_join(th, NULL);
	}
	sched_setaffinity(0, sizeof(old), &old);
	return ns;
}

void cc_probe_take(struct cc_probe_sample *s, double t_s)
{
	memset(s, 0, sizeof(*s));
	s->t_s = t_s;
	s->v[CC_PROBE_CPU] = probe_cpu();
	if (probe.buf) {
		s->v[CC_PROBE_MEM_BW] = probe_mem_bw();
		s->v[CC_PROBE_MEM_LAT] = probe_mem_lat();
	}
	s->v[CC_PROBE_WAKE] = probe_wake();
}
