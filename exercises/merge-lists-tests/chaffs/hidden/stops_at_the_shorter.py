# elements past the length of the shorter list are lost
def merge(a, b):
    merged = []
    for x, y in zip(a, b):
        merged.extend(sorted([x, y]))
    return merged
