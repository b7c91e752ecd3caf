import numpy as np


def eigenvalues(matrix: list[list[int]]) -> list[float]:
    ...
