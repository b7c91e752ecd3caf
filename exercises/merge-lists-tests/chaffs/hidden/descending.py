# the result is in descending order
def merge(a, b):
    return sorted(a + b, reverse=True)
