"""Run inside the sandbox: the repository's pytest suite under cProfile.

argv[1]: JSON list of pytest arguments; argv[2]: where to write the result.  The result
is JSON (never a pickle or marshal file: the host reads it): pytest's exit code and, for
every function defined in a file under the working directory, the seconds spent in it
plus in the library and built-in code it called directly.
"""

import cProfile
import json
import os
import pstats
import sys


def main() -> None:
    args, result_path = json.loads(sys.argv[1]), sys.argv[2]
    import pytest

    try:
        import pytest_benchmark  # noqa: F401 - benchmarks run once, their timing loop is noise here

        if "no:benchmark" not in args:
            args = ["--benchmark-disable", *args]
    except ImportError:
        pass
    root = os.getcwd() + os.sep
    own = os.path.join(root, ".pf") + os.sep
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        code = pytest.main(["-p", "no:cacheprovider", *args])
    finally:
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}

    def local(file):
        return file.startswith(root) and not file.startswith(own)

    seconds, calls = {}, {}
    for (file, line, name), (_cc, nc, tt, ct, callers) in stats.items():
        if local(file):
            key = (file[len(root):], line, name)
            seconds[key] = seconds.get(key, 0.0) + tt
            calls[key] = calls.get(key, 0) + nc
            continue
        # library or built-in code: its time counts for the local function that called it
        for (cfile, cline, cname), (_c, _n, _t, c_ct) in callers.items():
            if local(cfile):
                key = (cfile[len(root):], cline, cname)
                seconds[key] = seconds.get(key, 0.0) + c_ct
    functions = [{"file": f, "line": line, "name": n, "seconds": s, "calls": calls.get((f, line, n), 0)}
                 for (f, line, n), s in seconds.items()]
    with open(result_path, "w") as out:
        json.dump({"exit": int(code), "functions": functions}, out)


if __name__ == "__main__":
    main()
