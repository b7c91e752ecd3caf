import sys
def merge_sort(v):
    if len(v) <= 1:
        return v
    mid = len(v) // 2
    left, right = merge_sort(v[:mid]), merge_sort(v[mid:])
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i]); i += 1
        else:
            out.append(right[j]); j += 1
    return out + left[i:]
data = sys.stdin.read().split()
n = int(data[0])
print(" ".join(map(str, merge_sort(list(map(int, data[1 : n + 1]))))))
