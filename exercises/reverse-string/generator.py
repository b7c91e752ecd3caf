import json, sys
n, = map(int, sys.stdin.read().split())
print(json.dumps(["xyz" * n + "q"]))
