	.file	"popcount.c"
	.option pic
	.attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	popcount_loop
	.type	popcount_loop, @function
popcount_loop:
	mv	a5,a0
	li	a0,0
	beq	a5,zero,.L4
.L3:
	addi	a4,a5,-1
	and	a5,a5,a4
	addiw	a0,a0,1
	bne	a5,zero,.L3
	ret
.L4:
	ret
	.size	popcount_loop, .-popcount_loop
	.ident	"GCC: (Debian 12.2.0-13) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
