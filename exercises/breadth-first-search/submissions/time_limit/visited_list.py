import sys
data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
adj = [[] for _ in range(n + 1)]
for i in range(m):
    a, b = int(data[2 + 2 * i]), int(data[3 + 2 * i])
    adj[a].append(b)
    adj[b].append(a)
dist = [-1] * (n + 1)
dist[1] = 0
visited = [1]
queue = [1]
while queue:
    u = queue.pop(0)
    for v in adj[u]:
        if v not in visited:
            visited.append(v)
            dist[v] = dist[u] + 1
            queue.append(v)
print(" ".join(map(str, dist[1:])))
