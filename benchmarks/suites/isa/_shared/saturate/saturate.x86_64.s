	.file	"saturate.c"
	.text
	.p2align 4
	.globl	saturating_sum
	.type	saturating_sum, @function
saturating_sum:
	testl	%esi, %esi
	jle	.L4
	movslq	%esi, %rsi
	xorl	%eax, %eax
	leaq	(%rdi,%rsi,2), %rcx
	.p2align 4,,10
	.p2align 3
.L3:
	movswl	(%rdi), %edx
	addl	%edx, %eax
	movl	$-32768, %edx
	cmpl	%edx, %eax
	cmovl	%edx, %eax
	movl	$32767, %edx
	cmpl	%edx, %eax
	cmovg	%edx, %eax
	addq	$2, %rdi
	cmpq	%rdi, %rcx
	jne	.L3
	ret
	.p2align 4,,10
	.p2align 3
.L4:
	xorl	%eax, %eax
	ret
	.size	saturating_sum, .-saturating_sum
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
