def two_sum(nums, target):
    order = sorted(range(len(nums)), key=lambda k: nums[k])
    lo, hi = 0, len(nums) - 1
    while lo < hi:
        total = nums[order[lo]] + nums[order[hi]]
        if total == target:
            return sorted([order[lo], order[hi]])
        if total < target:
            lo += 1
        else:
            hi -= 1
