/*
 * x86-64 System V context switch.
 *
 * void coro_swap_x86_64(void **from_sp, void **to_sp)
 *
 * Saves the callee-saved registers (rbx, rbp, r12-r15), MXCSR and the x87
 * control word on the current stack, stores the stack pointer in *from_sp,
 * then loads *to_sp and restores the same set in reverse. The return address
 * is already on the stack from the call, so popping it and jumping there
 * resumes the other side where it called us. Everything else is caller-saved: the compiler has already
 * spilled what it needs. Loading MXCSR and the control word costs several
 * cycles each, so they are loaded only when the other side's differ from the
 * values just saved (the ones in force): almost never.
 *
 * Frame, from the saved stack pointer up: [mxcsr:4 | x87 cw:2 | pad:2] r15 r14
 * r13 r12 rbx rbp return-address. coro_make_x86_64 (ctx.c) builds the same
 * frame for a new context with coro_entry_x86_64 as its return address.
 */
	.text
	.globl	coro_swap_x86_64
	.type	coro_swap_x86_64, @function
	.p2align 4
coro_swap_x86_64:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movl	(%rsp), %eax
	movzwl	4(%rsp), %edx
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	cmpl	(%rsp), %eax
	jne	2f
	cmpw	4(%rsp), %dx
	jne	2f
1:	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	/* not "ret": the return-stack predictor expects our caller, never the other side, and
	 * would miss every time; an indirect jump is predicted from where it went before */
	popq	%rcx
	jmp	*%rcx
2:	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	jmp	1b
	.cfi_endproc
	.size	coro_swap_x86_64, .-coro_swap_x86_64

/* First code a new context runs: entry (r12) with its argument (r13). The stack is
 * 16-byte aligned here, as a call requires. entry never returns. */
	.globl	coro_entry_x86_64
	.type	coro_entry_x86_64, @function
	.p2align 4
coro_entry_x86_64:
	.cfi_startproc
	.cfi_undefined rip	/* the outermost frame: debuggers stop unwinding here */
	movq	%r13, %rdi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	coro_entry_x86_64, .-coro_entry_x86_64

	.section .note.GNU-stack,"",@progbits
