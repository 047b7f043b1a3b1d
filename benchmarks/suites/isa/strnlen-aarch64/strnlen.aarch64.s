	.arch armv8-a
	.file	"strnlen.c"
	.text
	.align	2
	.p2align 4,,11
	.global	bounded_strlen
	.type	bounded_strlen, %function
bounded_strlen:
.LFB0:
	.cfi_startproc
	mov	x4, x0
	mov	x2, 0
	mov	x0, x1
	cbnz	x1, .L2
	b	.L3
	.p2align 2,,3
.L4:
	add	x2, x2, 1
	cmp	x0, x2
	beq	.L3
.L2:
	ldrb	w3, [x4, x2]
	cbnz	w3, .L4
	mov	x0, x2
.L3:
	ret
	.cfi_endproc
.LFE0:
	.size	bounded_strlen, .-bounded_strlen
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
