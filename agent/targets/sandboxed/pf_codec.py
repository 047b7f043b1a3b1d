"""The harness's values codec for perfforge's scripts in the sandbox.

It is loaded from beside this file under a private module name, so that a repository
whose own code has a ``values`` module keeps it.
"""

import importlib.util
import os
import sys


def load():
    if "_pf_values" in sys.modules:
        return sys.modules["_pf_values"]
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("_pf_values", os.path.join(here, "values.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["_pf_values"] = module
    spec.loader.exec_module(module)
    return module
