# The integer square root, by binary search: right for perfect squares only.
k = int(input())
for _ in range(k):
    x = float(input())
    lo, hi = 0, int(x) + 1
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if mid * mid <= x:
            lo = mid
        else:
            hi = mid
    print(lo)
