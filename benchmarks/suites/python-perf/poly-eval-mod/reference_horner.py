def eval_poly_mod(coeffs, xs, m):
    if m < 1:
        raise ValueError("the modulus must be positive")
    reduced = [c % m for c in reversed(coeffs)]
    results = []
    for x in xs:
        x %= m
        total = 0
        for c in reduced:
            total = (total * x + c) % m
        results.append(total)
    return results
