import sys

def find(values, x):
    lo, hi = 0, len(values) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if values[mid] == x:
            return mid
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1

data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
values = list(map(int, data[2 : 2 + n]))
queries = map(int, data[2 + n : 2 + n + q])
print("\n".join(str(find(values, x)) for x in queries))
