import sys

data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
adj = [[] for _ in range(n + 1)]
for i in range(m):
    a, b = int(data[2 + 2 * i]), int(data[3 + 2 * i])
    adj[a].append(b)
    adj[b].append(a)
visited = []
stack = [1]
while stack:
    u = stack.pop()
    if u in visited:
        continue
    visited.append(u)
    for v in sorted(adj[u], reverse=True):
        if v not in visited:
            stack.append(v)
print(" ".join(map(str, visited)))
