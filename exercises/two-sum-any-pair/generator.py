import json, random, sys
n, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
nums = [rng.randrange(0, 10**9, 2) for _ in range(n)]
# Several right pairs, far apart.
for k in range(5):
    nums[rng.randrange(n)] = 7
    nums[rng.randrange(n)] = 10**9 + 1
print(json.dumps([nums, 10**9 + 8]))
