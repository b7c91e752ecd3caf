import numpy as np


def checkerboard(rows, cols):
    board = np.zeros((rows, cols), dtype=int)
    board[1::2, ::2] = 1
    board[::2, 1::2] = 1
    return board.tolist()
