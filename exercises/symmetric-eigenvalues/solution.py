import numpy as np


def eigenvalues(matrix):
    # eigvalsh is for symmetric (Hermitian) matrices: real values, ascending.
    return np.linalg.eigvalsh(np.array(matrix, dtype=float)).tolist()
