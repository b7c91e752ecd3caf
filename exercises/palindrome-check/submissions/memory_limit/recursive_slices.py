def is_palindrome(s):
    s = "".join(c.lower() for c in s if c.isalnum())
    def check(t):
        if len(t) < 2:
            return True
        return t[0] == t[-1] and check(t[1:-1])
    return check(s)
