def two_sum(numbers,   goal):
    index_of = {}   # value -> position
    for position, value in enumerate(numbers):
        if goal - value in index_of:
            return [index_of[goal - value], position]

        index_of[value] = position
    return []
