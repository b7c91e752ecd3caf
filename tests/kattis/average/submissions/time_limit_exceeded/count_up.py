a, b = map(int, input().split())
total = 0
for _ in range(10_000_000):
    total += 1
print((a + b) / 2)
