import random, sys
count, seed = map(int, sys.stdin.read().split())
rng = random.Random(seed)
big_primes = [9999999967, 9999999943, 9999999929, 9999999881, 9999999851]
values = [rng.choice(big_primes) for _ in range(count)]
print(count)
print("\n".join(map(str, values)))
