from merging import merge


def test_length():
    assert len(merge([1, 3], [2])) == 3
