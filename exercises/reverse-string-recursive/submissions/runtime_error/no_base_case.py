def reverse(s):
    return reverse(s[1:]) + s[:1]
