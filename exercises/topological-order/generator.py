import random, sys
n, m, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
# Edges go from earlier to later in a hidden shuffled order: acyclic.
rank = list(range(1, n + 1))
rng.shuffle(rank)
lines = [f"{n} {m}"]
for _ in range(m):
    i = rng.randrange(0, n - 1)
    j = rng.randrange(i + 1, min(n, i + 200))
    lines.append(f"{rank[i]} {rank[j]}")
print("\n".join(lines))
