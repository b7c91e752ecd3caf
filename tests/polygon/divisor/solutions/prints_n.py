# n divides n, but it is not a proper divisor.
print(int(input()))
