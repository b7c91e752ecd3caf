# the first list is extended in place and returned
def merge(a, b):
    a.extend(b)
    a.sort()
    return a
