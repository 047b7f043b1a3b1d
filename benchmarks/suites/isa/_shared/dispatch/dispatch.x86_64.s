	.file	"dispatch.c"
	.text
	.p2align 4
	.globl	run_ops
	.type	run_ops, @function
run_ops:
	movq	%rdx, %r8
	testl	%esi, %esi
	jle	.L1
	movslq	%esi, %rsi
	leaq	.L5(%rip), %rcx
	movabsq	$2361183241434822607, %r9
	addq	%rdi, %rsi
	.p2align 4,,10
	.p2align 3
.L12:
	cmpb	$6, (%rdi)
	ja	.L3
	movzbl	(%rdi), %eax
	movslq	(%rcx,%rax,4), %rax
	addq	%rcx, %rax
	jmp	*%rax
	.section	.rodata
	.align 4
	.align 4
.L5:
	.long	.L11-.L5
	.long	.L10-.L5
	.long	.L9-.L5
	.long	.L8-.L5
	.long	.L7-.L5
	.long	.L6-.L5
	.long	.L4-.L5
	.text
	.p2align 4,,10
	.p2align 3
.L6:
	negq	%r8
	.p2align 4,,10
	.p2align 3
.L3:
	addq	$1, %rdi
	cmpq	%rsi, %rdi
	jne	.L12
.L1:
	movq	%r8, %rax
	ret
	.p2align 4,,10
	.p2align 3
.L7:
	sarq	%r8
	jmp	.L3
	.p2align 4,,10
	.p2align 3
.L8:
	xorq	$85, %r8
	jmp	.L3
	.p2align 4,,10
	.p2align 3
.L11:
	addq	$7, %r8
	jmp	.L3
	.p2align 4,,10
	.p2align 3
.L4:
	movq	%r8, %rax
	imulq	%r9
	movq	%r8, %rax
	sarq	$63, %rax
	sarq	$7, %rdx
	subq	%rax, %rdx
	imulq	$1000, %rdx, %rdx
	subq	%rdx, %r8
	jmp	.L3
	.p2align 4,,10
	.p2align 3
.L9:
	addq	%r8, %r8
	jmp	.L3
	.p2align 4,,10
	.p2align 3
.L10:
	subq	$3, %r8
	jmp	.L3
	.size	run_ops, .-run_ops
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
