	.file	"strnlen.c"
	.text
	.p2align 4
	.globl	bounded_strlen
	.type	bounded_strlen, @function
bounded_strlen:
	movq	%rsi, %rax
	xorl	%edx, %edx
	testq	%rsi, %rsi
	jne	.L2
	jmp	.L8
	.p2align 4,,10
	.p2align 3
.L4:
	addq	$1, %rdx
	cmpq	%rdx, %rax
	je	.L3
.L2:
	cmpb	$0, (%rdi,%rdx)
	jne	.L4
	movq	%rdx, %rax
.L3:
	ret
.L8:
	ret
	.size	bounded_strlen, .-bounded_strlen
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
