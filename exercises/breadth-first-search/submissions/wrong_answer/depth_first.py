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
stack = [1]
while stack:
    u = stack.pop()
    for v in adj[u]:
        if dist[v] < 0:
            dist[v] = dist[u] + 1
            stack.append(v)
print(" ".join(map(str, dist[1:])))
