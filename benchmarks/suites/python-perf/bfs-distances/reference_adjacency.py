from collections import deque


def bfs_distances(n, edges, source):
    neighbours = [[] for _ in range(n)]
    for u, v in edges:
        neighbours[u].append(v)
        neighbours[v].append(u)
    dist = [-1] * n
    dist[source] = 0
    queue = deque([source])
    while queue:
        node = queue.popleft()
        step = dist[node] + 1
        for other in neighbours[node]:
            if dist[other] < 0:
                dist[other] = step
                queue.append(other)
    return dist
