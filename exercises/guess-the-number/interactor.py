"""The judge of guess-the-number: answers guesses about a secret number.

Its input (the test's NAME.in) is `n secret`.
"""

import builtins

from gavel_checker import accept, wrong


def interact(input):
    n, secret = map(int, input.split())
    allowed = n.bit_length()
    print(n, flush=True)
    for count in range(1, allowed + 1):
        try:
            line = builtins.input()
        except EOFError:
            wrong(f"the program stopped after {count - 1} guesses without finding the number")
        try:
            guess = int(line)
        except ValueError:
            wrong(f"guess {count}: expected a number, found {line[:60]!r}")
        if guess == secret:
            print("=", flush=True)
            accept(f"found on guess {count} of {allowed}")
        print("<" if secret < guess else ">", flush=True)
    wrong(f"not found in {allowed} guesses")
