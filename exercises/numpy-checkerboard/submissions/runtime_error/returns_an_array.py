import numpy as np


def checkerboard(rows, cols):
    # An ndarray is not JSON: the value cannot be returned.
    return np.indices((rows, cols)).sum(axis=0) % 2
