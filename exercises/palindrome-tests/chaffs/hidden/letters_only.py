# digits are ignored like punctuation
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalpha()]
    return kept == kept[::-1]
