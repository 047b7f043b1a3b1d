"""A random CSR structure with n*k nonzeros: rows of uneven length (some empty), sorted
distinct columns within a row."""
import numpy as np


def make(sizes, rng):
    n, k = sizes["n"], sizes["k"]
    nnz = n * k
    # nonzeros spread over rows unevenly; a row holds at most n of them
    counts = np.minimum(rng.multinomial(nnz, np.full(n, 1.0 / n)), n)
    short = nnz - int(counts.sum())
    while short:
        room = np.flatnonzero(counts < n)
        take = rng.choice(room, size=min(short, room.size), replace=False)
        counts[take] += 1
        short -= take.size
    row_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    col = np.concatenate([np.sort(rng.choice(n, size=c, replace=False)) for c in counts] or [np.zeros(0)])
    return {"row_ptr": row_ptr, "col": col.astype(np.int32)}
