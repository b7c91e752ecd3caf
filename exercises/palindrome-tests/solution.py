import unittest

from palindrome import is_palindrome


class PalindromeTest(unittest.TestCase):
    def test_simple_words(self):
        self.assertIs(is_palindrome("racecar"), True)
        self.assertIs(is_palindrome("abba"), True)
        self.assertIs(is_palindrome("abc"), False)
        self.assertIs(is_palindrome("ab"), False)
        self.assertIs(is_palindrome("aab"), False)
        self.assertIs(is_palindrome("abca"), False)

    def test_every_pair_is_compared(self):
        self.assertIs(is_palindrome("abxyba"), False)
        self.assertIs(is_palindrome("abcdxcba"), False)
        self.assertIs(is_palindrome("abcdcba"), True)

    def test_case_is_ignored(self):
        self.assertIs(is_palindrome("Aba"), True)
        self.assertIs(is_palindrome("NooN"), True)

    def test_punctuation_and_spaces_are_ignored(self):
        self.assertIs(is_palindrome("A man, a plan, a canal: Panama"), True)
        self.assertIs(is_palindrome("no lemon, no melon"), True)
        self.assertIs(is_palindrome("a,b"), False)

    def test_digits_count(self):
        self.assertIs(is_palindrome("12321"), True)
        self.assertIs(is_palindrome("ab1ba2"), False)
        self.assertIs(is_palindrome("1a1"), True)

    def test_empty_and_single(self):
        self.assertIs(is_palindrome(""), True)
        self.assertIs(is_palindrome("!!"), True)
        self.assertIs(is_palindrome("x"), True)
