import sys

def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    # build sorted adjacency lists, then visit from node 1

main()
