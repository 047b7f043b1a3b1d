def generate(scale, rng):
    nums = [rng.randint(-6, 9) for _ in range(scale)]
    return (nums, rng.randint(0, 12))


def contract(nums, k):
    assert isinstance(nums, list) and all(type(x) is int for x in nums)
    assert type(k) is int
