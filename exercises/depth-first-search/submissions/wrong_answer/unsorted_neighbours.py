import sys
data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
adj = [[] for _ in range(n + 1)]
for i in range(m):
    a, b = int(data[2 + 2 * i]), int(data[3 + 2 * i])
    adj[a].append(b)
    adj[b].append(a)
seen = [False] * (n + 1)
order = []
stack = [1]
while stack:
    u = stack.pop()
    if seen[u]:
        continue
    seen[u] = True
    order.append(u)
    stack.extend(v for v in adj[u] if not seen[v])
print(" ".join(map(str, order)))
