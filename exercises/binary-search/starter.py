import sys
data = sys.stdin.read().split()
n, q = int(data[0]), int(data[1])
