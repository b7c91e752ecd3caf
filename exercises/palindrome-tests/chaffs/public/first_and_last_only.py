# only the first and the last character are compared
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalnum()]
    return kept[:1] == kept[-1:]
