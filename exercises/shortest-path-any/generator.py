import random, sys
n, m, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
lines = [f"{n} {m}"]
# A long chain, plus random shortcuts: many shortest paths.
for v in range(2, n + 1):
    lines.append(f"{v - 1} {v}")
for _ in range(m - (n - 1)):
    a = rng.randrange(1, n + 1)
    lines.append(f"{a} {min(n, a + rng.randrange(2, 50))}")
print("\n".join(lines))
