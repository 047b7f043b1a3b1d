	.arch armv8-a
	.file	"dispatch.c"
	.text
	.align	2
	.p2align 4,,11
	.global	run_ops
	.type	run_ops, %function
run_ops:
.LFB0:
	.cfi_startproc
	mov	x3, x0
	mov	x0, x2
	cmp	w1, 0
	ble	.L1
	mov	x5, 63439
	mov	x2, x3
	movk	x5, 0xe353, lsl 16
	add	x3, x3, w1, sxtw
	movk	x5, 0x9ba5, lsl 32
	mov	x6, 85
	movk	x5, 0x20c4, lsl 48
	b	.L12
	.p2align 2,,3
.L16:
	cmp	w1, 1
	beq	.L5
	cmp	w1, 2
	add	x1, x0, 7
	lsl	x0, x0, 1
	csel	x0, x0, x1, eq
	.p2align 3,,7
.L11:
	add	x2, x2, 1
	cmp	x2, x3
	beq	.L1
.L12:
	ldrb	w1, [x2]
	cmp	w1, 3
	beq	.L3
	bls	.L16
	cmp	w1, 5
	beq	.L8
	cmp	w1, 6
	bne	.L17
	smulh	x1, x0, x5
	add	x2, x2, 1
	asr	x1, x1, 7
	sub	x1, x1, x0, asr 63
	lsl	x4, x1, 5
	sub	x4, x4, x1
	add	x1, x1, x4, lsl 2
	sub	x0, x0, x1, lsl 3
	cmp	x2, x3
	bne	.L12
.L1:
	ret
	.p2align 2,,3
.L17:
	cmp	w1, 4
	asr	x1, x0, 1
	csel	x0, x1, x0, eq
	b	.L11
	.p2align 2,,3
.L8:
	neg	x0, x0
	b	.L11
	.p2align 2,,3
.L3:
	eor	x0, x0, x6
	b	.L11
	.p2align 2,,3
.L5:
	sub	x0, x0, #3
	b	.L11
	.cfi_endproc
.LFE0:
	.size	run_ops, .-run_ops
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
