text = input()
pattern = input()
answer = -1
for i in range(len(text) - len(pattern) + 1):
    match = True
    for j in range(len(pattern)):
        if text[i + j] != pattern[j]:
            match = False
    if match:
        answer = i
        break
print(answer)
