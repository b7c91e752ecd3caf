def is_match(s, p):
    def go(i, j):
        if j == len(p):
            return i == len(s)
        if p[j] == "*":
            return go(i, j + 1) or (i < len(s) and go(i + 1, j))
        return i < len(s) and p[j] in ("?", s[i]) and go(i + 1, j + 1)
    return go(0, 0)
