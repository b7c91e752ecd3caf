def is_valid(s):
    while "()" in s or "[]" in s or "{}" in s:
        s = s.replace("()", "", 1).replace("[]", "", 1).replace("{}", "", 1)
    return s == ""
