t = int(input())
for _ in range(t):
    x = int(input()) & 0xFFFFFFFF
    count = 0
    for v in range(x + 1):
        if v == x:
            count = bin(v).count("1")
    print(count)
