def reverse(s):
    out = []
    for c in s:
        out.insert(0, c)
    return "".join(out)
