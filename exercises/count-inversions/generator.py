import random, sys
n, seed = map(int, sys.stdin.read().split())
if seed == 0:
    a = list(range(n, 0, -1))
else:
    rng = random.Random(seed)
    a = [rng.randrange(10**9) for _ in range(n)]
print(n)
print(" ".join(map(str, a)))
