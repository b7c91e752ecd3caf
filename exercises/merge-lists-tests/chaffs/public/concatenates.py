# the lists are put one after the other, not merged
def merge(a, b):
    return a + b
