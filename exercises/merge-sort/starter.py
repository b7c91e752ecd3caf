def merge_sort(values):
    ...

n = int(input())
values = list(map(int, input().split())) if n else []
print(" ".join(map(str, merge_sort(values))))
