# the empty string gives None
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalnum()]
    if not kept:
        return None
    return kept == kept[::-1]
