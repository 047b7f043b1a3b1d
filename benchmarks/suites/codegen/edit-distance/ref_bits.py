def edit_distance(a, b):
    """Bit-parallel Levenshtein distance (Myers 1999, in Hyyro's formulation).

    One column of the dynamic-programming table is kept as two bit vectors of vertical
    deltas (+1 / -1) over the characters of `a`; each character of `b` updates the whole
    column with a handful of integer operations on len(a)-bit Python ints.
    """
    m = len(a)
    if m == 0:
        return len(b)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    masks = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    plus, minus, score = full, 0, m
    for ch in b:
        eq = masks.get(ch, 0)
        xv = eq | minus
        xh = (((eq & plus) + plus) ^ plus) | eq
        hplus = minus | (~(xh | plus) & full)
        hminus = plus & xh
        if hplus & top:
            score += 1
        elif hminus & top:
            score -= 1
        # the first row of the table grows by one per column: shift a +1 in
        hplus = ((hplus << 1) | 1) & full
        hminus = (hminus << 1) & full
        plus = hminus | (~(xv | hplus) & full)
        minus = hplus & xv
    return score
