def two_sum(nums, target):
    pass
