import json, sys
n, = map(int, sys.stdin.read().split())
print(json.dumps(["a" * n, "*a" * (n // 2) + "*b"]))
