# the empty string is said not to be a palindrome
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalnum()]
    if not kept:
        return False
    return kept == kept[::-1]
