# Walks up in steps of 0.0001: right, and far too slow for large numbers.
k = int(input())
for _ in range(k):
    x = float(input())
    r = 0.0
    while (r + 0.0001) * (r + 0.0001) <= x:
        r += 0.0001
    lo, hi = r, r + 0.0001
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid * mid <= x:
            lo = mid
        else:
            hi = mid
    print(f"{lo:.10f}")
