# Read the numbers from standard input and print their square roots.
