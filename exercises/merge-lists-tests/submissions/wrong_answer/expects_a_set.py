from merging import merge


def test_merge():
    assert merge([1, 3], [2, 4]) == [1, 2, 3, 4]


def test_duplicates():
    # Wrong: duplicates are kept.
    assert merge([1, 2], [2, 3]) == [1, 2, 3]
