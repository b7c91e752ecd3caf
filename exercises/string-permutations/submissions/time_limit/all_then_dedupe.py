from itertools import permutations

s = input().strip()
# Correct, but makes all n! orderings before removing duplicates.
seen = []
for p in permutations(s):
    word = "".join(p)
    if word not in seen:
        seen.append(word)
print("\n".join(sorted(seen)))
