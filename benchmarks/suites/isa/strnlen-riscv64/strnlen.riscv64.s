	.file	"strnlen.c"
	.option pic
	.attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	bounded_strlen
	.type	bounded_strlen, @function
bounded_strlen:
	li	a5,0
	bne	a1,zero,.L2
	j	.L3
.L4:
	addi	a5,a5,1
	beq	a1,a5,.L3
.L2:
	add	a4,a0,a5
	lbu	a4,0(a4)
	bne	a4,zero,.L4
	mv	a1,a5
.L3:
	mv	a0,a1
	ret
	.size	bounded_strlen, .-bounded_strlen
	.ident	"GCC: (Debian 12.2.0-13) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
