import numpy as np


def checkerboard(rows: int, cols: int) -> list[list[int]]:
    ...
