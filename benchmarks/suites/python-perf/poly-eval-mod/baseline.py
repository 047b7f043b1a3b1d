def eval_poly_mod(coeffs, xs, m):
    if m < 1:
        raise ValueError("the modulus must be positive")
    results = []
    for x in xs:
        total = 0
        for i, c in enumerate(coeffs):
            total += c * x**i
        results.append(total % m)
    return results
