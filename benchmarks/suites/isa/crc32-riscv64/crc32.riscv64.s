	.file	"crc32.c"
	.option pic
	.attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	crc32_bitwise
	.type	crc32_bitwise, @function
crc32_bitwise:
	beq	a1,zero,.L6
	li	a6,-306675712
	add	a7,a0,a1
	li	a5,-1
	addi	a6,a6,800
.L5:
	lbu	a3,0(a0)
	li	a4,8
	xor	a5,a5,a3
.L4:
	srliw	a3,a5,1
	andi	a2,a5,1
	addiw	a4,a4,-1
	xor	a1,a6,a3
	sext.w	a5,a3
	beq	a2,zero,.L3
	sext.w	a5,a1
.L3:
	bne	a4,zero,.L4
	addi	a0,a0,1
	bne	a7,a0,.L5
	not	a0,a5
	ret
.L6:
	li	a0,0
	ret
	.size	crc32_bitwise, .-crc32_bitwise
	.ident	"GCC: (Debian 12.2.0-13) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
