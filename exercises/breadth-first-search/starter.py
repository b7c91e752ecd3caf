import sys
from collections import deque

def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    # build the adjacency lists, then run BFS from node 1

main()
