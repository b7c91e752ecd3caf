import random, sys
n, q, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
values = sorted(rng.sample(range(-10**9, 10**9), n))
print(n, q)
print(" ".join(map(str, values)))
print("\n".join(str(rng.choice(values) if rng.random() < 0.5 else rng.randint(-10**9, 10**9)) for _ in range(q)))
