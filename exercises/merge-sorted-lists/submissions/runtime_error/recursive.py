def merge(a, b):
    if not a or not b:
        return a or b
    if a.val <= b.val:
        a.next = merge(a.next, b)
        return a
    b.next = merge(a, b.next)
    return b
