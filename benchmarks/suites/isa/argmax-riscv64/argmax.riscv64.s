	.file	"argmax.c"
	.option pic
	.attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	argmax
	.type	argmax, @function
argmax:
	mv	a6,a0
	ble	a1,zero,.L5
	li	a5,1
	beq	a1,a5,.L6
	addi	a3,a0,4
	li	a4,1
	li	a0,0
.L4:
	slli	a5,a0,2
	add	a5,a6,a5
	lw	a2,0(a3)
	lw	a5,0(a5)
	addi	a3,a3,4
	ble	a2,a5,.L3
	mv	a0,a4
.L3:
	addiw	a4,a4,1
	bne	a1,a4,.L4
	ret
.L6:
	li	a0,0
	ret
.L5:
	li	a0,-1
	ret
	.size	argmax, .-argmax
	.ident	"GCC: (Debian 12.2.0-13) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
