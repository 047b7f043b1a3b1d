	.file	"gcd.c"
	.text
	.globl	gcd
	.type	gcd, @function
gcd:
	movq	%rdi, %rax
	testq	%rsi, %rsi
	je	.L4
.L3:
	movq	%rsi, %rcx
	movl	$0, %edx
	divq	%rsi
	movq	%rdx, %rsi
	movq	%rcx, %rax
	testq	%rdx, %rdx
	jne	.L3
.L1:
	movq	%rcx, %rax
	ret
.L4:
	movq	%rdi, %rcx
	jmp	.L1
	.size	gcd, .-gcd
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
