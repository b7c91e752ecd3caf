s = input()
