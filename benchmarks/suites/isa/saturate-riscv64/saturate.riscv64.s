	.file	"saturate.c"
	.option pic
	.attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	saturating_sum
	.type	saturating_sum, @function
saturating_sum:
	ble	a1,zero,.L6
	slli	a1,a1,1
	li	a6,32768
	add	a3,a0,a1
	li	a4,0
	li	a1,-32768
	li	a2,32768
	addiw	a6,a6,-1
.L5:
	lh	a5,0(a0)
	addi	a0,a0,2
	addw	a5,a5,a4
	bge	a5,a1,.L3
	li	a5,-32768
.L3:
	blt	a5,a2,.L4
	mv	a5,a6
.L4:
	mv	a4,a5
	bne	a3,a0,.L5
	slliw	a0,a5,16
	sraiw	a0,a0,16
	ret
.L6:
	li	a0,0
	ret
	.size	saturating_sum, .-saturating_sum
	.ident	"GCC: (Debian 12.2.0-13) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
