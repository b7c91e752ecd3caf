import sys
n, m = map(int, sys.stdin.read().split())
print("a" * n + "b")
print("a" * m + "b")
