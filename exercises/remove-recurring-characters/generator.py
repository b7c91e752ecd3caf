import json, sys
n, = map(int, sys.stdin.read().split())
chars = "".join(chr(0x4E00 + i) for i in range(n))
print(json.dumps([chars + chars[::-1]]))
