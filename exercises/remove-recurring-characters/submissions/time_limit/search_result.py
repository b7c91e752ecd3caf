def dedupe(s):
    out = ""
    for c in s:
        if c not in out:
            out += c
    return out
