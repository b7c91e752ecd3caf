# checks that the first half is itself a palindrome
def is_palindrome(s):
    kept = [c.lower() for c in s if c.isalnum()]
    half = kept[: len(kept) // 2]
    return half == half[::-1]
