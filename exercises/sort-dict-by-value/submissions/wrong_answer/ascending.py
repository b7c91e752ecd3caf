def sort_by_value(scores):
    return sorted(scores.items(), key=lambda kv: (kv[1], kv[0]))
