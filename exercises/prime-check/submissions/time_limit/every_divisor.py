t = int(input())
for _ in range(t):
    x = int(input())
    ok = x > 1
    for d in range(2, x):
        if x % d == 0:
            ok = False
            break
    print("yes" if ok else "no")
