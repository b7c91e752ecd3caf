# Guesses 1, 2, 3, ...: right only for the smallest secrets.
guess = 1
while True:
    print(guess, flush=True)
    if input() == "correct":
        break
    guess += 1
