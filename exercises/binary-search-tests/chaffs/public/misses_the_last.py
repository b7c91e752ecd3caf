# the last element is never looked at
def binary_search(items, target):
    low, high = 0, len(items) - 2
    while low <= high:
        middle = (low + high) // 2
        if items[middle] == target:
            return middle
        if items[middle] < target:
            low = middle + 1
        else:
            high = middle - 1
    return -1
