# Reads before the judge has anything more to say: both wait (a deadlock).
n = int(input())
input()
