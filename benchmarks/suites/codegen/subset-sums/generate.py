def generate(scale, rng):
    return ([rng.randint(0, 3000) for _ in range(scale)],)


def contract(nums):
    assert isinstance(nums, list) and len(nums) <= 20
    assert all(type(x) is int and 0 <= x <= 10**6 for x in nums)
