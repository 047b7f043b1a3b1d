	.arch armv8-a
	.file	"saturate.c"
	.text
	.align	2
	.p2align 4,,11
	.global	saturating_sum
	.type	saturating_sum, %function
saturating_sum:
.LFB0:
	.cfi_startproc
	cmp	w1, 0
	ble	.L4
	add	x4, x0, w1, sxtw 1
	mov	w2, 0
	mov	w5, -32768
	mov	w1, 32767
	.p2align 3,,7
.L3:
	ldrsh	w3, [x0], 2
	add	w2, w2, w3
	cmn	w2, #32768
	csel	w2, w2, w5, ge
	cmp	w2, w1
	csel	w2, w2, w1, le
	cmp	x4, x0
	bne	.L3
	sxth	w0, w2
	ret
	.p2align 2,,3
.L4:
	mov	w0, 0
	ret
	.cfi_endproc
.LFE0:
	.size	saturating_sum, .-saturating_sum
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
