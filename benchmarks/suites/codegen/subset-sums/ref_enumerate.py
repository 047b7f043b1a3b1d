def count_subset_sums(nums):
    n = len(nums)
    sums = set()
    for mask in range(1 << n):
        total = 0
        for i in range(n):
            if mask >> i & 1:
                total += nums[i]
        sums.add(total)
    return len(sums)
