import sys
data = sys.stdin.read().split()
t = int(data[0])
print("\n".join(str(bin(int(x) & 0xFFFFFFFF).count("1")) for x in data[1 : t + 1]))
