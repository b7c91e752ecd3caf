import numpy as np


def eigenvalues(matrix):
    # eig returns complex128 here: complex numbers are not JSON.
    return sorted(np.linalg.eig(np.array(matrix, dtype=float))[0].tolist(), key=lambda z: z.real)
