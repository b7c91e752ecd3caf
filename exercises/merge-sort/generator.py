import random, sys
n, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
print(n)
print(" ".join(str(rng.randint(-10**9, 10**9)) for _ in range(n)))
