n = int(input())
# print the first n Fibonacci numbers, one per line
