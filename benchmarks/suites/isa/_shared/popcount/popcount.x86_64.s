	.file	"popcount.c"
	.text
	.p2align 4
	.globl	popcount_loop
	.type	popcount_loop, @function
popcount_loop:
	xorl	%edx, %edx
	testq	%rdi, %rdi
	je	.L1
	.p2align 4,,10
	.p2align 3
.L3:
	leaq	-1(%rdi), %rax
	addl	$1, %edx
	andq	%rax, %rdi
	jne	.L3
.L1:
	movl	%edx, %eax
	ret
	.size	popcount_loop, .-popcount_loop
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
