/*
 * Context switching: one interface, several backends.
 *
 * A context is the saved state of a suspended execution: its registers and the
 * stack pointer. Backends differ in how much they save and what a switch costs:
 * "asm" saves only what the ABI says a call preserves (callee-saved registers,
 * the stack pointer and the floating-point control words) and makes no system
 * call; "ucontext" is glibc's swapcontext, portable but it saves the signal
 * mask with a system call on every switch. Results name the backend they used.
 */
#ifndef CONCUR_CORO_CTX_H
#define CONCUR_CORO_CTX_H

#include <stdbool.h>
#include <stddef.h>

struct coro_backend {
	const char *name;
	const char *summary;
	size_t ctx_size; /* bytes of context storage (aligned to 16) */
	/* Prepares ctx so that the first switch to it calls entry(arg) on [stack, stack + size).
	 * entry must never return: it switches away for the last time instead. */
	void (*make)(void *ctx, void *stack, size_t size, void (*entry)(void *), void *arg);
	/* Saves the running context in from and resumes to. */
	void (*swap)(void *from, void *to);
};

/* The backends built into this binary, the fastest first; the first is the default. */
extern const struct coro_backend *const coro_backends[];
extern const unsigned coro_backend_count;
/* NULL if name is not built here. */
const struct coro_backend *coro_backend_find(const char *name);
/* The architecture the asm backend was written for ("x86_64", "aarch64"), or "none". */
const char *coro_asm_arch(void);
/* "asm, ucontext": for messages naming the allowed values. */
const char *coro_backend_names(void);

#endif
