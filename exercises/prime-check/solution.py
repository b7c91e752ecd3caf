import sys

def is_prime(x):
    if x < 2:
        return False
    if x < 4:
        return True
    if x % 2 == 0 or x % 3 == 0:
        return False
    i = 5
    while i * i <= x:
        if x % i == 0 or x % (i + 2) == 0:
            return False
        i += 6
    return True

data = sys.stdin.read().split()
t = int(data[0])
print("\n".join("yes" if is_prime(int(v)) else "no" for v in data[1 : t + 1]))
