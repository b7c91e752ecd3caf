import sys
print(int(sys.stdin.read().split()[0]))
