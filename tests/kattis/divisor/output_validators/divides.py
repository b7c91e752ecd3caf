#!/usr/bin/env python3
"""Accepts any proper divisor: reads n from the input file, the team's answer on stdin."""
import sys


def judge(verdict, message):
    with open(sys.argv[3] + "judgemessage.txt", "w") as feedback:
        feedback.write(message + "\n")
    sys.exit(verdict)


def main():
    with open(sys.argv[1]) as f:
        n = int(f.read())
    tokens = sys.stdin.read().split()
    if len(tokens) != 1 or not tokens[0].lstrip("-").isdigit():
        judge(43, f"expected one integer, got {' '.join(tokens)[:40]!r}")
    d = int(tokens[0])
    if not 1 < d < n or n % d:
        judge(43, f"{d} is not a proper divisor of {n}")
    judge(42, f"{d} divides {n}")


if __name__ == "__main__":
    main()
