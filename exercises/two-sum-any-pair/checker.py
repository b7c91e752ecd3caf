"""Any pair of distinct indices whose values add up to the target is right."""

from gavel_checker import accept, wrong


def check(args, expected, got):
    nums, target = args
    if not isinstance(got, list) or len(got) != 2 or not all(isinstance(i, int) for i in got):
        wrong(f"expected two indices, found {got!r}")
    i, j = got
    if not (0 <= i < len(nums) and 0 <= j < len(nums)):
        wrong(f"index out of range: {got!r} for a list of {len(nums)} numbers")
    if i == j:
        wrong(f"the two indices must differ, found {got!r}")
    if nums[i] + nums[j] != target:
        wrong(f"nums[{i}] + nums[{j}] is {nums[i] + nums[j]}, not {target}")
    accept()
