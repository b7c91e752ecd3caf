import unittest

from search import binary_search


class BinarySearchTest(unittest.TestCase):
    def test_every_position_is_found(self):
        for size in range(0, 12):
            items = list(range(0, 3 * size, 3))
            for index, value in enumerate(items):
                self.assertEqual(binary_search(items, value), index, (items, value))

    def test_absent_values(self):
        for size in range(0, 12):
            items = list(range(0, 3 * size, 3))
            for value in [-5, -1, 1, 2, 4, 3 * size, 3 * size + 7]:
                self.assertEqual(binary_search(items, value), -1, (items, value))

    def test_negative_numbers(self):
        self.assertEqual(binary_search([-9, -4, 0, 6], -4), 1)
        self.assertEqual(binary_search([-9, -4, 0, 6], -9), 0)

    def test_items_are_left_alone(self):
        items = [1, 4, 9, 16, 25]
        binary_search(items, 9)
        binary_search(items, 10)
        self.assertEqual(items, [1, 4, 9, 16, 25])

    def test_absent_is_minus_one_not_none(self):
        self.assertIsNotNone(binary_search([], 3))
        self.assertEqual(binary_search([], 3), -1)
