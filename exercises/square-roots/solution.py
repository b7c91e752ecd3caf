def root(x):
    if x == 0:
        return 0.0
    guess = x if x >= 1 else 1.0
    while True:
        better = (guess + x / guess) / 2
        if abs(better - guess) <= 1e-12 * max(1.0, better):
            return better
        guess = better


k = int(input())
for _ in range(k):
    print(f"{root(float(input())):.10f}")
