import sys
from collections import deque

def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for k in range(m):
        a, b = int(data[2 + 2 * k]), int(data[3 + 2 * k])
        adj[a].append(b)
        adj[b].append(a)
    dist = [-1] * (n + 1)
    dist[1] = 0
    queue = deque([1])
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if dist[v] < 0:
                dist[v] = dist[u] + 1
                queue.append(v)
    if dist[n] < 0:
        print(-1)
        return
    # The right length, but made-up steps.
    count = dist[n] + 1
    print(count)
    print(" ".join(map(str, [1] + list(range(n - count + 2, n + 1)))))

main()
