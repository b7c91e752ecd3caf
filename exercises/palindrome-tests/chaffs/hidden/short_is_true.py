# any string of two characters or fewer is a palindrome
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalnum()]
    if len(kept) <= 2:
        return True
    return kept == kept[::-1]
