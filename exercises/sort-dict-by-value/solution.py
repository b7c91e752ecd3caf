def sort_by_value(scores):
    return [[name, score] for name, score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]
