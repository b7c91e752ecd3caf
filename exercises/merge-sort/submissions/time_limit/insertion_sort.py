import sys
data = sys.stdin.read().split()
n = int(data[0])
a = list(map(int, data[1 : n + 1]))
for i in range(1, n):
    x = a[i]
    j = i - 1
    while j >= 0 and a[j] > x:
        a[j + 1] = a[j]
        j -= 1
    a[j + 1] = x
print(" ".join(map(str, a)))
