import json, random, sys
n, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
a = sorted(rng.randint(-10**6, 10**6) for _ in range(n))
b = sorted(rng.randint(-10**6, 10**6) for _ in range(n))
print(json.dumps([a, b]))
