// argmax for AArch64, translated by hand from the x86-64 listing: keeps the best value
// in a register instead of reloading a[best] on every step.
	.text
	.align	2
	.global	argmax
	.type	argmax, %function
argmax:
	cmp	w1, #0
	b.le	.Lempty
	mov	w2, #0			// best index
	ldr	w3, [x0]		// best value
	mov	w4, #1			// i
.Lloop:
	cmp	w4, w1
	b.ge	.Ldone
	ldr	w5, [x0, w4, sxtw #2]
	cmp	w5, w3
	b.le	.Lnext			// only a strictly larger value moves the index: the first maximum wins
	mov	w3, w5
	mov	w2, w4
.Lnext:
	add	w4, w4, #1
	b	.Lloop
.Ldone:
	mov	w0, w2
	ret
.Lempty:
	mov	w0, #-1
	ret
	.size	argmax, .-argmax
