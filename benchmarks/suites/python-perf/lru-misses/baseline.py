def lru_simulate(requests, capacity):
    cache = []
    misses = 0
    evicted = []
    for key in requests:
        if key in cache:
            cache.remove(key)
            cache.append(key)
            continue
        misses += 1
        if capacity <= 0:
            continue
        if len(cache) >= capacity:
            evicted.append(cache.pop(0))
        cache.append(key)
    return misses, evicted
