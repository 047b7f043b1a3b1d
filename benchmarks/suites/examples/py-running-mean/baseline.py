def running_mean(xs):
    out = []
    for i in range(len(xs)):
        out.append(sum(xs[: i + 1]) / (i + 1))
    return out
