from search import binary_search


def test_found():
    assert binary_search([2, 4, 6, 8], 8) == 3


def test_absent():
    # Wrong: an absent target gives -1.
    assert binary_search([2, 4, 6, 8], 5) is None
