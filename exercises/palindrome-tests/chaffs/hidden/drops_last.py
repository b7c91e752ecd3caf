# the last character is left out
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalnum()][:-1]
    return kept == kept[::-1]
