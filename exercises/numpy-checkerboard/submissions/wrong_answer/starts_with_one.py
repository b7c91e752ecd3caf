import numpy as np


def checkerboard(rows, cols):
    return ((np.indices((rows, cols)).sum(axis=0) + 1) % 2).tolist()
