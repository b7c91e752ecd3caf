t = int(input())
for _ in range(t):
    print(bin(int(input())).count("1"))
