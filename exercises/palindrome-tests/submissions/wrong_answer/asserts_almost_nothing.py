from palindrome import is_palindrome


def test_returns_something():
    assert is_palindrome("racecar") is not None


def test_a_bool():
    assert isinstance(is_palindrome("abc"), bool)
