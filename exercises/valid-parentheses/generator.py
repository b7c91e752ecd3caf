import json, sys
n, *shape = sys.stdin.read().split()
n = int(n)
if shape == ["nested"]:
    # n brackets deep: the worst case for removing matched pairs repeatedly.
    opening = "".join("([{"[i % 3] for i in range(n))
    closing = opening[::-1].translate(str.maketrans("([{", ")]}"))
    print(json.dumps([opening + closing]))
else:
    print(json.dumps(["{[()]}" * n]))
