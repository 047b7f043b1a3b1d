def generate(scale, rng):
    # a noisy upward trend: long increasing subsequences, many duplicates
    return ([i // 3 + rng.randint(-scale // 4, scale // 4) for i in range(scale)],)


def contract(nums):
    assert isinstance(nums, list) and all(type(x) is int for x in nums)
