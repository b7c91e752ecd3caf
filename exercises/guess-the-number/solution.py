n = int(input())
lo, hi = 1, n
while True:
    guess = (lo + hi) // 2
    print(guess, flush=True)
    answer = input()
    if answer == "=":
        break
    if answer == "<":
        hi = guess - 1
    else:
        lo = guess + 1
