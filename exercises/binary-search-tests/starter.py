from search import binary_search


def test_finds_the_middle():
    assert binary_search([1, 3, 5], 3) == 1
