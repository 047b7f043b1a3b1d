from collections import OrderedDict


def lru_simulate(requests, capacity):
    misses = 0
    evicted = []
    if capacity <= 0:
        return len(requests), evicted
    cache = OrderedDict()
    for key in requests:
        if key in cache:
            cache.move_to_end(key)
            continue
        misses += 1
        if len(cache) >= capacity:
            evicted.append(cache.popitem(last=False)[0])
        cache[key] = None
    return misses, evicted
