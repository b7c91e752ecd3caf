def reverse(s):
    return s[-2::-1]
