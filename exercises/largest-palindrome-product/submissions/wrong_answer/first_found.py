lo, hi = map(int, input().split())
for a in range(hi, lo - 1, -1):
    for b in range(hi, a - 1, -1):
        s = str(a * b)
        if s == s[::-1]:
            print(a * b)
            raise SystemExit
print(-1)
