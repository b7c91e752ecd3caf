import unittest

from merging import merge


class MergeTest(unittest.TestCase):
    def test_interleaved(self):
        self.assertEqual(merge([1, 4, 9], [2, 3, 10, 11]), [1, 2, 3, 4, 9, 10, 11])
        self.assertEqual(merge([5], [1, 2, 3]), [1, 2, 3, 5])

    def test_one_runs_out_first(self):
        self.assertEqual(merge([1, 2], [3, 4, 5]), [1, 2, 3, 4, 5])
        self.assertEqual(merge([3, 4, 5], [1, 2]), [1, 2, 3, 4, 5])

    def test_empty_lists(self):
        self.assertEqual(merge([], []), [])
        self.assertEqual(merge([], [1, 2]), [1, 2])
        self.assertEqual(merge([1, 2], []), [1, 2])

    def test_duplicates_are_kept(self):
        self.assertEqual(merge([1, 2, 2], [2, 3]), [1, 2, 2, 2, 3])
        self.assertEqual(merge([7], [7]), [7, 7])

    def test_negative_and_equal_heads(self):
        self.assertEqual(merge([-3, 0], [-3, -1]), [-3, -3, -1, 0])

    def test_inputs_are_left_alone_and_the_result_is_new(self):
        a, b = [1, 3], [2]
        merged = merge(a, b)
        self.assertEqual((a, b), ([1, 3], [2]))
        merged.append(99)
        self.assertEqual((a, b), ([1, 3], [2]))

    def test_longer_lists(self):
        a = list(range(0, 40, 2))
        b = list(range(1, 41, 2))
        self.assertEqual(merge(a, b), list(range(40)))
