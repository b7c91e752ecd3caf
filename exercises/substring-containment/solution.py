import sys
lines = sys.stdin.read().split("\n")
text = lines[0] if lines else ""
pattern = lines[1] if len(lines) > 1 else ""
print(text.find(pattern))
