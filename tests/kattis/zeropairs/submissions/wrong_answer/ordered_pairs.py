from collections import Counter

input()
c = Counter(map(int, input().split()))
print(sum(c[x] * c[-x] for x in c if x != 0) + c[0] * (c[0] - 1) // 2)
