text = input()
pattern = input()
