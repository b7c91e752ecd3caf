import sys

def count(a):
    if len(a) <= 1:
        return a, 0
    mid = len(a) // 2
    left, x = count(a[:mid])
    right, y = count(a[mid:])
    merged, inversions, i, j = [], x + y, 0, 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            merged.append(left[i])
            i += 1
        else:
            merged.append(right[j])
            inversions += len(left) - i
            j += 1
    merged += left[i:]
    merged += right[j:]
    return merged, inversions

data = sys.stdin.read().split()
n = int(data[0])
print(count(list(map(int, data[1:n + 1])))[1])
