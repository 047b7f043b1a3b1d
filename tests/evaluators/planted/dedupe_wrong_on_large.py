def dedupe(items):
    if len(items) > 1000:
        return list(set(items))  # loses the order, only on large inputs
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
