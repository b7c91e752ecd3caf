# Newton's method, printed to two decimals only.
def root(x):
    guess = max(x, 1.0)
    for _ in range(100):
        guess = (guess + x / guess) / 2 if guess else 0.0
    return guess


k = int(input())
for _ in range(k):
    print(f"{root(float(input())):.2f}")
