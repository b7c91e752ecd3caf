def reverse(s: str) -> str:
    def go(i):
        if i == len(s):
            return []
        rest = go(i + 1)
        rest.append(s[i])
        return rest
    return "".join(go(0))
