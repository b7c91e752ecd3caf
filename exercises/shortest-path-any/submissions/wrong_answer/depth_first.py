import sys
sys.setrecursionlimit(10000)

def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for k in range(m):
        a, b = int(data[2 + 2 * k]), int(data[3 + 2 * k])
        adj[a].append(b)
        adj[b].append(a)
    parent = [0] * (n + 1)
    parent[1] = -1
    stack = [1]
    while stack:
        u = stack.pop()
        for v in adj[u]:
            if parent[v] == 0:
                parent[v] = u
                stack.append(v)
    if parent[n] == 0:
        print(-1)
        return
    path = [n]
    while path[-1] != 1:
        path.append(parent[path[-1]])
    print(len(path))
    print(" ".join(map(str, reversed(path))))

main()
