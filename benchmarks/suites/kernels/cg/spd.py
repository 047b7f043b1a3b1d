"""A well-conditioned symmetric positive definite matrix: I + M M^T / (4n), M uniform in [-1, 1)."""
import numpy as np


def make(sizes, rng):
    n = sizes["n"]
    m = rng.uniform(-1.0, 1.0, size=(n, n))
    return {"a": np.eye(n) + (m @ m.T) / (4.0 * n)}
