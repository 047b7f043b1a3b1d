def running_mean(xs):
    out = []
    total = 0.0
    for i, x in enumerate(xs, 1):
        total += x
        out.append(round(total / i, 6))  # six decimals: beyond a 1e-9 relative tolerance
    return out
