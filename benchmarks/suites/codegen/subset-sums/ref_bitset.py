def count_subset_sums(nums):
    # bit s of reachable is set when some subset sums to s
    reachable = 1
    for x in nums:
        reachable |= reachable << x
    return bin(reachable).count("1")
