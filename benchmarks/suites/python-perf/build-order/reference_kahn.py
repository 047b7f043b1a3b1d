import heapq


def build_order(deps):
    waiting = {}
    users = {}
    for name, prerequisites in deps.items():
        unique = set(prerequisites)
        waiting[name] = len(unique)
        for p in unique:
            users.setdefault(p, []).append(name)
            waiting.setdefault(p, 0)
    ready = [name for name, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for user in users.get(name, ()):
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    if len(order) < len(waiting):
        raise ValueError("dependency cycle")
    return order
