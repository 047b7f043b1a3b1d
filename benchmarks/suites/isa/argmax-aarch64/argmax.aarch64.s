	.arch armv8-a
	.file	"argmax.c"
	.text
	.align	2
	.p2align 4,,11
	.global	argmax
	.type	argmax, %function
argmax:
.LFB0:
	.cfi_startproc
	mov	x3, x0
	cmp	w1, 0
	ble	.L5
	cmp	w1, 1
	beq	.L6
	mov	x2, 1
	mov	w0, 0
	.p2align 3,,7
.L4:
	ldr	w5, [x3, x2, lsl 2]
	ldr	w4, [x3, w0, sxtw 2]
	cmp	w5, w4
	csel	w0, w0, w2, le
	add	x2, x2, 1
	cmp	w1, w2
	bgt	.L4
	ret
	.p2align 2,,3
.L6:
	mov	w0, 0
	ret
.L5:
	mov	w0, -1
	ret
	.cfi_endproc
.LFE0:
	.size	argmax, .-argmax
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
