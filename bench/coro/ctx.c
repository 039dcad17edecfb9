/* The context-switch backends: the assembly one for this architecture, and ucontext. */
#include "coro/ctx.h"

#include <stdint.h>
#include <string.h>
#include <ucontext.h>

/* The top of [stack, stack + size), aligned down to 16 bytes. */
static uintptr_t stack_top(void *stack, size_t size) { return ((uintptr_t)stack + size) & ~(uintptr_t)15; }

#if defined(__x86_64__)
#define CORO_ASM_ARCH "x86_64"
void coro_swap_x86_64(void *from_sp, void *to_sp); /* void **, void ** */
void coro_entry_x86_64(void);

static void asm_make(void *ctx, void *stack, size_t size, void (*entry)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)(stack_top(stack, size) - 64); /* the frame coro_swap_x86_64 pops */
	uint32_t mxcsr;
	uint16_t fpucw;
	/* a new context starts with the creator's rounding and exception masks */
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fpucw));
	memset(sp, 0, 64);
	memcpy(&sp[0], &mxcsr, 4);
	memcpy((char *)&sp[0] + 4, &fpucw, 2);
	sp[3] = (uint64_t)(uintptr_t)arg;   /* r13 */
	sp[4] = (uint64_t)(uintptr_t)entry; /* r12 */
	sp[7] = (uint64_t)(uintptr_t)coro_entry_x86_64;
	*(void **)ctx = sp;
}

#define asm_swap coro_swap_x86_64 /* the context is the saved stack pointer: no wrapper needed */

#elif defined(__aarch64__)
#define CORO_ASM_ARCH "aarch64"
void coro_swap_aarch64(void *from_sp, void *to_sp); /* void **, void ** */
void coro_entry_aarch64(void);

static void asm_make(void *ctx, void *stack, size_t size, void (*entry)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)(stack_top(stack, size) - 176); /* the frame coro_swap_aarch64 pops */
	uint64_t fpcr;
	__asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
	memset(sp, 0, 176);
	sp[0] = (uint64_t)(uintptr_t)entry; /* x19 */
	sp[1] = (uint64_t)(uintptr_t)arg;   /* x20 */
	sp[11] = (uint64_t)(uintptr_t)coro_entry_aarch64; /* x30 */
	sp[20] = fpcr;
	*(void **)ctx = sp;
}

#define asm_swap coro_swap_aarch64
#endif

#ifdef CORO_ASM_ARCH
static const struct coro_backend backend_asm = {
	.name = "asm",
	.summary = "hand-written " CORO_ASM_ARCH " switch: callee-saved registers, sp, FP control; no system call",
	.ctx_size = 16,
	.make = asm_make,
	.swap = asm_swap,
};
#endif

/* makecontext passes int arguments only: a pointer travels as two halves. */
static void uc_trampoline(unsigned hi, unsigned lo)
{
	void **p = (void **)(((uintptr_t)hi << 32) | lo);
	((void (*)(void *))p[0])(p[1]);
}

/* The ucontext_t, then the entry and its argument for the trampoline. */
struct uc_ctx {
	ucontext_t uc;
	void *call[2];
};

static void uc_make(void *ctx, void *stack, size_t size, void (*entry)(void *), void *arg)
{
	struct uc_ctx *c = ctx;
	getcontext(&c->uc);
	c->uc.uc_stack.ss_sp = stack;
	c->uc.uc_stack.ss_size = size;
	c->uc.uc_link = NULL;
	c->call[0] = (void *)entry;
	c->call[1] = arg;
	uintptr_t p = (uintptr_t)c->call;
	makecontext(&c->uc, (void (*)(void))uc_trampoline, 2, (unsigned)(p >> 32), (unsigned)p);
}

static void uc_swap(void *from, void *to) { swapcontext(&((struct uc_ctx *)from)->uc, &((struct uc_ctx *)to)->uc); }

static const struct coro_backend backend_ucontext = {
	.name = "ucontext",
	.summary = "glibc swapcontext: portable; saves the signal mask with a system call per switch",
	.ctx_size = (sizeof(struct uc_ctx) + 15) & ~(size_t)15,
	.make = uc_make,
	.swap = uc_swap,
};

const struct coro_backend *const coro_backends[] = {
#ifdef CORO_ASM_ARCH
	&backend_asm,
#endif
	&backend_ucontext,
};
const unsigned coro_backend_count = sizeof(coro_backends) / sizeof(coro_backends[0]);

const struct coro_backend *coro_backend_find(const char *name)
{
	for (unsigned i = 0; i < coro_backend_count; i++)
		if (!strcmp(coro_backends[i]->name, name))
			return coro_backends[i];
	return NULL;
}

const char *coro_asm_arch(void)
{
#ifdef CORO_ASM_ARCH
	return CORO_ASM_ARCH;
#else
	return "none";
#endif
}

const char *coro_backend_names(void)
{
#ifdef CORO_ASM_ARCH
	return "asm, ucontext";
#else
	return "ucontext";
#endif
}
