// popcount_loop for AArch64, the x86-64 loop kept as it is: 4 + 4 * popcount(x) instructions
// per call (the instruction-count tests rely on this figure).
	.text
	.align	2
	.global	popcount_loop
	.type	popcount_loop, %function
popcount_loop:
	mov	w1, #0
	cbz	x0, 2f
1:
	sub	x2, x0, #1
	and	x0, x0, x2
	add	w1, w1, #1
	cbnz	x0, 1b
2:
	mov	w0, w1
	ret
	.size	popcount_loop, .-popcount_loop
