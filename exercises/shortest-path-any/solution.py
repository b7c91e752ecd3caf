import sys
from collections import deque

def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for k in range(m):
        a, b = int(data[2 + 2 * k]), int(data[3 + 2 * k])
        adj[a].append(b)
        adj[b].append(a)
    parent = [0] * (n + 1)
    parent[1] = -1
    queue = deque([1])
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if parent[v] == 0:
                parent[v] = u
                queue.append(v)
    if parent[n] == 0:
        print(-1)
        return
    path = [n]
    while path[-1] != 1:
        path.append(parent[path[-1]])
    path.reverse()
    print(len(path))
    print(" ".join(map(str, path)))

main()
