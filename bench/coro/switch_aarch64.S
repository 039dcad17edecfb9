/*
 * AArch64 (AAPCS64) context switch.
 *
 * void coro_swap_aarch64(void **from_sp, void **to_sp)
 *
 * Saves what a call must preserve: x19-x28, the frame pointer x29, the link
 * register x30 (where to resume), the low halves d8-d15 of v8-v15, and FPCR
 * (the floating-point control register; FPSR is status, not preserved). The
 * frame is 176 bytes, keeping sp 16-byte aligned:
 *   0: x19 x20 | 16: x21 x22 | 32: x23 x24 | 48: x25 x26 | 64: x27 x28
 *  80: x29 x30 | 96: d8 d9 | 112: d10 d11 | 128: d12 d13 | 144: d14 d15
 * 160: fpcr | 168: pad
 * coro_make_aarch64 (ctx.c) builds the same frame for a new context, with
 * coro_entry_aarch64 in x30, entry in x19 and its argument in x20.
 */
	.text
	.globl	coro_swap_aarch64
	.type	coro_swap_aarch64, %function
	.p2align 4
coro_swap_aarch64:
	.cfi_startproc
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x9, fpcr
	str	x9, [sp, #160]
	mov	x9, sp
	str	x9, [x0]
	ldr	x9, [x1]
	mov	sp, x9
	ldr	x9, [sp, #160]
	msr	fpcr, x9
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	ret
	.cfi_endproc
	.size	coro_swap_aarch64, .-coro_swap_aarch64

/* First code a new context runs: entry (x19) with its argument (x20). entry never returns. */
	.globl	coro_entry_aarch64
	.type	coro_entry_aarch64, %function
	.p2align 4
coro_entry_aarch64:
	.cfi_startproc
	.cfi_undefined x30
	mov	x0, x20
	blr	x19
	brk	#0
	.cfi_endproc
	.size	coro_entry_aarch64, .-coro_entry_aarch64

	.section .note.GNU-stack,"",%progbits
