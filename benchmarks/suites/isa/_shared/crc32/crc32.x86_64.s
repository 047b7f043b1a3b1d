	.file	"crc32.c"
	.text
	.p2align 4
	.globl	crc32_bitwise
	.type	crc32_bitwise, @function
crc32_bitwise:
	testq	%rsi, %rsi
	je	.L6
	leaq	(%rdi,%rsi), %r8
	movl	$-1, %eax
	.p2align 4,,10
	.p2align 3
.L5:
	movzbl	(%rdi), %edx
	xorl	%edx, %eax
	movl	$8, %edx
	.p2align 4,,10
	.p2align 3
.L4:
	movl	%eax, %esi
	shrl	%eax
	movl	%eax, %ecx
	andl	$1, %esi
	xorl	$-306674912, %ecx
	testl	%esi, %esi
	cmovne	%ecx, %eax
	subl	$1, %edx
	jne	.L4
	addq	$1, %rdi
	cmpq	%rdi, %r8
	jne	.L5
	notl	%eax
	ret
.L6:
	xorl	%eax, %eax
	ret
	.size	crc32_bitwise, .-crc32_bitwise
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
