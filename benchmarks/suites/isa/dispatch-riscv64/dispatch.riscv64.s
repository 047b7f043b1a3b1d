	.file	"dispatch.c"
	.option pic
	.attribute arch, "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"
	.attribute unaligned_access, 0
	.attribute stack_align, 16
	.text
	.align	1
	.globl	run_ops
	.type	run_ops, @function
run_ops:
	mv	a4,a0
	mv	a0,a2
	ble	a1,zero,.L1
	add	a1,a4,a1
	li	a2,6
	lla	a3,.L5
	li	a6,1000
.L12:
	lbu	a5,0(a4)
	bgtu	a5,a2,.L3
	slli	a5,a5,2
	add	a5,a5,a3
	lw	a5,0(a5)
	add	a5,a5,a3
	jr	a5
	.section	.rodata
	.align	2
	.align	2
.L5:
	.word	.L11-.L5
	.word	.L10-.L5
	.word	.L9-.L5
	.word	.L8-.L5
	.word	.L7-.L5
	.word	.L6-.L5
	.word	.L4-.L5
	.text
.L6:
	neg	a0,a0
.L3:
	addi	a4,a4,1
	bne	a4,a1,.L12
.L1:
	ret
.L7:
	srai	a0,a0,1
	j	.L3
.L8:
	xori	a0,a0,85
	j	.L3
.L11:
	addi	a0,a0,7
	j	.L3
.L4:
	rem	a0,a0,a6
	j	.L3
.L9:
	slli	a0,a0,1
	j	.L3
.L10:
	addi	a0,a0,-3
	j	.L3
	.size	run_ops, .-run_ops
	.ident	"GCC: (Debian 12.2.0-13) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
