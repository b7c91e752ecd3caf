import json
import random
import sys

n, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
scores = {f"user{i:06d}": rng.randint(-1000, 1000) for i in range(n)}
print(json.dumps([scores]))
