t = int(input())
for _ in range(t):
    x = int(input())
