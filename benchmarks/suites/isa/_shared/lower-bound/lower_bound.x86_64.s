	.file	"lower_bound.c"
	.text
	.p2align 4
	.globl	lower_bound
	.type	lower_bound, @function
lower_bound:
	xorl	%ecx, %ecx
	jmp	.L3
	.p2align 4,,10
	.p2align 3
.L4:
	movq	%rsi, %rax
	subq	%rcx, %rax
	sarq	%rax
	addq	%rcx, %rax
	cmpl	%edx, (%rdi,%rax,4)
	jl	.L7
	movq	%rax, %rsi
.L3:
	cmpq	%rcx, %rsi
	jg	.L4
	movq	%rcx, %rax
	ret
	.p2align 4,,10
	.p2align 3
.L7:
	leaq	1(%rax), %rcx
	jmp	.L3
	.size	lower_bound, .-lower_bound
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
