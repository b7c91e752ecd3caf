# values that appear more than once are kept once
def merge(a, b):
    return sorted(set(a) | set(b))
