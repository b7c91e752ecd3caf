# the innermost pair of characters is never compared
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalnum()]
    for i in range(len(kept) // 2 - 1):
        if kept[i] != kept[-1 - i]:
            return False
    return True
