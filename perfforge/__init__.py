"""perfforge: LLM agents that make code faster, judged by measurements the harness owns.

The top-level packages are the product's parts:

- ``sandbox``     isolated execution (``run(ExecSpec) -> ExecResult``)
- ``evaluators``  correctness oracles, instruction counts, time, memory, energy, scores
- ``benchmarks``  the task format, stress inputs, bundled suites, loaders
- ``agent``       the optimization loop, models, edit formats, strategies, run store
- ``prompts``     every prompt the agent sends (Jinja2 templates)

This package holds only what they all share: the version, the error base class,
the protocols and the root command line.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("perfforge")
except _metadata.PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
