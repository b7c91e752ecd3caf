# spaces and punctuation are compared like letters
def is_palindrome(s):
    kept = [c.lower() for c in s]
    return kept == kept[::-1]
