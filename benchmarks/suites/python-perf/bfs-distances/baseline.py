def bfs_distances(n, edges, source):
    dist = [-1] * n
    dist[source] = 0
    visited = [source]
    queue = [source]
    while queue:
        node = queue.pop(0)
        for u, v in edges:
            if u == node:
                other = v
            elif v == node:
                other = u
            else:
                continue
            if other not in visited:
                visited.append(other)
                dist[other] = dist[node] + 1
                queue.append(other)
    return dist
