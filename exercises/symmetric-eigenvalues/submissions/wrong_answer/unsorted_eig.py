import numpy as np


def eigenvalues(matrix):
    # eig's order is LAPACK's, not ascending.
    return [float(x.real) for x in np.linalg.eig(np.array(matrix, dtype=float))[0]]
