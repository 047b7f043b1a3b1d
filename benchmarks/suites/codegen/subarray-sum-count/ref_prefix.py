def count_subarrays(nums, k):
    # a subarray nums[i:j] sums to k exactly when prefix(j) - prefix(i) == k
    seen = {0: 1}
    total = 0
    count = 0
    for x in nums:
        total += x
        count += seen.get(total - k, 0)
        seen[total] = seen.get(total, 0) + 1
    return count
