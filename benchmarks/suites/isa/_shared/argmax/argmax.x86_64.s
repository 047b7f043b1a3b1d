	.file	"argmax.c"
	.text
	.globl	argmax
	.type	argmax, @function
argmax:
	testl	%esi, %esi
	jle	.L5
	cmpl	$1, %esi
	jle	.L6
	movl	%esi, %esi
	movl	$1, %eax
	movl	$0, %edx
.L4:
	movslq	%edx, %rcx
	movl	(%rdi,%rcx,4), %ecx
	cmpl	%ecx, (%rdi,%rax,4)
	cmovg	%eax, %edx
	addq	$1, %rax
	cmpq	%rsi, %rax
	jne	.L4
.L1:
	movl	%edx, %eax
	ret
.L5:
	movl	$-1, %edx
	jmp	.L1
.L6:
	movl	$0, %edx
	jmp	.L1
	.size	argmax, .-argmax
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
