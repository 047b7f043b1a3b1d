	.file	"lower_bound.c"
	.option pic
	.attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	lower_bound
	.type	lower_bound, @function
lower_bound:
	mv	a3,a0
	li	a0,0
	j	.L3
.L4:
	lw	a4,0(a4)
	blt	a4,a2,.L7
	mv	a1,a5
.L3:
	sub	a5,a1,a0
	srai	a5,a5,1
	add	a5,a5,a0
	slli	a4,a5,2
	add	a4,a3,a4
	bgt	a1,a0,.L4
	ret
.L7:
	addi	a0,a5,1
	j	.L3
	.size	lower_bound, .-lower_bound
	.ident	"GCC: (Debian 12.2.0-13) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
