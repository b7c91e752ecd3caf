# upper and lower case letters are told apart
def is_palindrome(s):
    kept = [c for c in s if c.isalnum()]
    return kept == kept[::-1]
