def reverse(s):
    if not s:
        return ""
    return s[0] + reverse(s[1:])
