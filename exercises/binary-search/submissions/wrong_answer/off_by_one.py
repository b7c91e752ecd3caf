import sys, bisect
data = sys.stdin.read().split()
n, q = int(data[0]), int(data[1])
values = list(map(int, data[2 : 2 + n]))
for x in data[2 + n : 2 + n + q]:
    x = int(x)
    i = bisect.bisect_left(values, x)
    print(i + 1 if i < n and values[i] == x else -1)
