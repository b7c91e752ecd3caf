# Picks each next task by scanning every task again: quadratic.
import sys

data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
before = [[] for _ in range(n + 1)]
for k in range(m):
    a, b = int(data[2 + 2 * k]), int(data[3 + 2 * k])
    before[b].append(a)
done = [False] * (n + 1)
order = []
while len(order) < n:
    for v in range(1, n + 1):
        if not done[v] and all(done[u] for u in before[v]):
            done[v] = True
            order.append(v)
            break
print(" ".join(map(str, order)))
