import unittest

from palindrome import is_palindrome


class Test(unittest.TestCase):
    def test_word(self):
        self.assertTrue(is_palindrome("level"))

    def test_case(self):
        # Wrong: case is ignored, so this is a palindrome.
        self.assertFalse(is_palindrome("Level"))
