import sys

n = int(open(sys.argv[1]).read())
secret = int(open(sys.argv[2]).read())
feedback = open(sys.argv[3] + "judgemessage.txt", "w")
print(n, flush=True)
for guess_number in range(1, 11):
    line = sys.stdin.readline()
    if not line:
        feedback.write("the program stopped guessing\n")
        sys.exit(43)
    guess = int(line)
    if guess == secret:
        print("correct", flush=True)
        feedback.write(f"found with {guess_number} guesses\n")
        sys.exit(42)
    print("lower" if secret < guess else "higher", flush=True)
feedback.write("not found in 10 guesses\n")
sys.exit(43)
