def generate(scale, rng):
    return ([rng.randint(-scale, scale) for _ in range(scale)],)


def contract(nums):
    assert isinstance(nums, list) and all(type(x) is int for x in nums)
