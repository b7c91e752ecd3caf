t = int(input())
for _ in range(t):
    x = int(input())
    ok = x >= 1 and all(x % d for d in range(2, int(abs(x) ** 0.5) + 1))
    print("yes" if ok else "no")
