def count_subarrays(nums, k):
    count = 0
    n = len(nums)
    for i in range(n):
        for j in range(i + 1, n + 1):
            if sum(nums[i:j]) == k:
                count += 1
    return count
