# an empty first list gives an empty result
def merge(a, b):
    if not a:
        return []
    return sorted(a + b)
