text = input()
pattern = input()
print(text.rfind(pattern))
