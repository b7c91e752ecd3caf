s = input().strip()
while True:
    print((s + "!") * 100000)
