lo, hi = map(int, input().split())
