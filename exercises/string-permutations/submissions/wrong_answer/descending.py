import sys
def permutations(chars):
    chars.sort()
    result = []
    used = [False] * len(chars)
    current = []
    def extend():
        if len(current) == len(chars):
            result.append("".join(current))
            return
        for i, c in enumerate(chars):
            if used[i] or (i > 0 and chars[i - 1] == c and not used[i - 1]):
                continue
            used[i] = True
            current.append(c)
            extend()
            current.pop()
            used[i] = False
    extend()
    return result
s = sys.stdin.readline().strip()
print("\n".join(reversed(permutations(list(s)))))
