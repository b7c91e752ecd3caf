import sys
data = sys.stdin.read().split()
n, q = int(data[0]), int(data[1])
values = list(map(int, data[2 : 2 + n]))
for x in data[2 + n : 2 + n + q]:
    x = int(x)
    answer = -1
    for i in range(n):
        if values[i] == x:
            answer = i
    print(answer)
