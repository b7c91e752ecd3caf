import random, sys
n, m, seed, shape = sys.stdin.read().split()
n, m, seed = int(n), int(m), int(seed)
rng = random.Random(seed)
edges = set()
if shape == "path":
    order = list(range(1, n + 1))
    rng.shuffle(order)
    order.remove(1)
    order.insert(0, 1)
    for a, b in zip(order, order[1:]):
        edges.add((min(a, b), max(a, b)))
while len(edges) < m:
    a, b = rng.randint(1, n), rng.randint(1, n)
    if a != b:
        edges.add((min(a, b), max(a, b)))
edges = sorted(edges)
rng.shuffle(edges)
print(n, len(edges))
print("\n".join(f"{a} {b}" for a, b in edges))
