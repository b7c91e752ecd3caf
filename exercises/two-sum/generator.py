import json, random, sys
n, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
nums = [rng.randrange(0, 10**9, 2) for _ in range(n)]
nums[-2], nums[-1] = 7, 10**9 + 1
print(json.dumps([nums, 10**9 + 8]))
