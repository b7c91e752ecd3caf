"""Any path from 1 to n over the graph's edges, as short as the shortest, is right."""

from collections import deque

from gavel_checker import Tokens, accept, wrong


def check(input, expected, output):
    data = input.split()
    n, m = int(data[0]), int(data[1])
    edges = set()
    adj = [[] for _ in range(n + 1)]
    for k in range(m):
        a, b = int(data[2 + 2 * k]), int(data[3 + 2 * k])
        edges.add((a, b))
        edges.add((b, a))
        adj[a].append(b)
        adj[b].append(a)
    best = Tokens(expected, "the expected output").int()
    got = Tokens(output)
    count = got.int("the number of nodes")
    if best == -1 or count == -1:
        got.eof()
        if count != best:
            wrong(f"expected {best}, found {count}")
        accept()
    if count != best:
        wrong(f"the path has {count} nodes; a shortest one has {best}")
    path = got.ints(count, "a node")
    got.eof()
    if path[0] != 1 or path[-1] != n:
        wrong(f"the path must go from 1 to {n}, not from {path[0]} to {path[-1]}")
    for a, b in zip(path, path[1:]):
        if (a, b) not in edges:
            wrong(f"there is no edge {a} {b}")
    accept()
