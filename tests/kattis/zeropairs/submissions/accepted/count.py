from collections import Counter

input()
seen = Counter()
pairs = 0
for x in map(int, input().split()):
    pairs += seen[-x]
    seen[x] += 1
print(pairs)
