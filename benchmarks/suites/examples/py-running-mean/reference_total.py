def running_mean(xs):
    out = []
    total = 0.0
    for i, x in enumerate(xs, 1):
        total += x
        out.append(total / i)
    return out
