# Prints the tasks by number, ignoring the dependencies.
n, m = map(int, input().split())
print(" ".join(str(v) for v in range(1, n + 1)))
