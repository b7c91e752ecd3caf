def dedupe(s):
    return "".join(sorted(set(s)))
