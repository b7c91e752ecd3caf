import random, sys
n, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
print(n)
print("\n".join(str(rng.randint(-2**31, 2**31 - 1)) for _ in range(n)))
