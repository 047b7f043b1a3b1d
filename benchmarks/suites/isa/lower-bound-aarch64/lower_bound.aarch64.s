	.arch armv8-a
	.file	"lower_bound.c"
	.text
	.align	2
	.p2align 4,,11
	.global	lower_bound
	.type	lower_bound, %function
lower_bound:
.LFB0:
	.cfi_startproc
	mov	x5, x0
	mov	x0, 0
	b	.L3
	.p2align 2,,3
.L4:
	add	x3, x0, x3, asr 1
	ldr	w4, [x5, x3, lsl 2]
	cmp	w4, w2
	blt	.L7
	mov	x1, x3
.L3:
	subs	x3, x1, x0
	bgt	.L4
	ret
	.p2align 2,,3
.L7:
	add	x0, x3, 1
	b	.L3
	.cfi_endproc
.LFE0:
	.size	lower_bound, .-lower_bound
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
