with open("data.txt") as f:
    for line in reversed(f.read().splitlines()):
        print(line)
