# Read the graph from standard input and print a topological order.
