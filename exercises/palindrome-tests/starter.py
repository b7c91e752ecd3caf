from palindrome import is_palindrome


def test_a_simple_palindrome():
    assert is_palindrome("racecar") == True
