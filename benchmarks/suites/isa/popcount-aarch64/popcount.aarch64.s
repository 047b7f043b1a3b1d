	.arch armv8-a
	.file	"popcount.c"
	.text
	.align	2
	.p2align 4,,11
	.global	popcount_loop
	.type	popcount_loop, %function
popcount_loop:
.LFB0:
	.cfi_startproc
	fmov	d0, x0
	cnt	v0.8b, v0.8b
	addv	b0, v0.8b
	fmov	w0, s0
	ret
	.cfi_endproc
.LFE0:
	.size	popcount_loop, .-popcount_loop
	.ident	"GCC: (Debian 12.2.0-14) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
