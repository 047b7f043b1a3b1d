"""``perfforge bench run``: evaluate models on benchmark suites, from generation to verdict.

- :mod:`~benchmarks.run.config`: what a run is (stored with it; ``--resume`` rebuilds it);
- :mod:`~benchmarks.run.produce`: where samples come from (a model's answers, or agent runs);
- :mod:`~benchmarks.run.jobs`: one model's samples on one task, as the executors ship it;
- :mod:`~benchmarks.run.runner`: the run itself (generation overlapping evaluation);
- :mod:`~benchmarks.run.cli`: the ``run``, ``report`` and ``compare`` commands.

Executors (where evaluations execute) are in :mod:`benchmarks.executors`; reports in
:mod:`benchmarks.report`; comparisons in :mod:`benchmarks.compare`.
"""
