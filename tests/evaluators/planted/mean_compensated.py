def running_mean(xs):
    # Kahan-compensated running sum: differs from the baseline in the last bits, within tolerance
    out = []
    total = compensation = 0.0
    for i, x in enumerate(xs, 1):
        y = x - compensation
        t = total + y
        compensation = (t - total) - y
        total = t
        out.append(total / i)
    return out
