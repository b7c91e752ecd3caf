from merging import merge


def test_two_short_lists():
    assert merge([1, 4], [2, 3]) == [1, 2, 3, 4]
