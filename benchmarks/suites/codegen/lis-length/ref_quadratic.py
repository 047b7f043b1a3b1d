def lis_length(nums):
    # best[i]: length of the longest increasing subsequence ending at nums[i]
    best = []
    for i, x in enumerate(nums):
        length = 1
        for j in range(i):
            if nums[j] < x and best[j] + 1 > length:
                length = best[j] + 1
        best.append(length)
    return max(best, default=0)
