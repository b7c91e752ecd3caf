# the largest element is lost
def merge(a, b):
    return sorted(a + b)[:-1]
