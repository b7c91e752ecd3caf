import sys
from collections import deque


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    after = [[] for _ in range(n + 1)]
    waiting = [0] * (n + 1)
    for k in range(m):
        a, b = int(data[2 + 2 * k]), int(data[3 + 2 * k])
        after[a].append(b)
        waiting[b] += 1
    ready = deque(v for v in range(1, n + 1) if waiting[v] == 0)
    order = []
    while ready:
        v = ready.popleft()
        order.append(v)
        for w in after[v]:
            waiting[w] -= 1
            if waiting[w] == 0:
                ready.append(w)
    print(" ".join(map(str, order)))


main()
