import sys
def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for i in range(m):
        a, b = int(data[2 + 2 * i]), int(data[3 + 2 * i])
        adj[a].append(b)
        adj[b].append(a)
    seen = [False] * (n + 1)
    order = []
    def visit(u):
        seen[u] = True
        order.append(u)
        for v in sorted(adj[u]):
            if not seen[v]:
                visit(v)
    visit(1)
    print(" ".join(map(str, order)))
main()
