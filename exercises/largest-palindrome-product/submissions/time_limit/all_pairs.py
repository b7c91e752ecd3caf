lo, hi = map(int, input().split())
best = -1
for a in range(lo, hi + 1):
    for b in range(a, hi + 1):
        s = str(a * b)
        if s == s[::-1] and a * b > best:
            best = a * b
print(best)
