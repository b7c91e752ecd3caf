def fib(k):
    return k if k < 2 else fib(k - 1) + fib(k - 2)
n = int(input())
for i in range(n):
    print(fib(i))
