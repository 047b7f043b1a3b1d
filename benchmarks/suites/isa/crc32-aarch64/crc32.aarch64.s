	.arch armv8-a
	.file	"crc32.c"
	.text
	.align	2
	.p2align 4,,11
	.global	crc32_bitwise
	.type	crc32_bitwise, %function
crc32_bitwise:
.LFB0:
	.cfi_startproc
	cbz	x1, .L6
	mov	x4, x0
	mov	w3, 33568
	add	x5, x4, x1
	mov	w0, -1
	movk	w3, 0xedb8, lsl 16
	.p2align 3,,7
.L5:
	ldrb	w2, [x4]
	mov	w1, 8
	eor	w0, w0, w2
	.p2align 3,,7
.L4:
	ands	w2, w0, 1
	lsr	w0, w0, 1
	eor	w2, w0, w3
	csel	w0, w2, w0, ne
	subs	w1, w1, #1
	bne	.L4
	add	x4, x4, 1
	cmp	x5, x4
	bne	.L5
	mvn	w0, w0
	ret
.L6:
	mov	w0, 0
	ret
	.cfi_endproc
.LFE0:
	.size	crc32_bitwise, .-crc32_bitwise
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
