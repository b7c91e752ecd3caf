def sort_by_value(scores):
    items = list(scores.items())
    for i in range(len(items)):
        best = i
        for j in range(i + 1, len(items)):
            a, b = items[j], items[best]
            if a[1] > b[1] or (a[1] == b[1] and a[0] < b[0]):
                best = j
        items[i], items[best] = items[best], items[i]
    return [list(item) for item in items]
