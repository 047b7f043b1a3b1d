"""HPCTransEval and KernelBench loaders on small files written in their formats: records
become cuda-to-cpu / PyTorch module tasks, bad records are refused by name, samples are
read by the published ids; PyTorch module candidates pass static checks first; fast_p."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.loaders import LOADERS, get_loader
from benchmarks.summary import summarize
from evaluators.kinds.torch_kernel import compare_outputs, static_problems, trial_outputs

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HTE = FIXTURES / "hpctranseval"
KB = FIXTURES / "kernelbench"


def test_both_formats_are_registered():
    assert {"hpctranseval", "kernelbench"} <= set(LOADERS)


def test_hpctranseval_records_become_cuda_to_cpu_tasks(tmp_path):
    conv = get_loader("hpctranseval").convert(HTE / "ops.json", tmp_path)
    assert [t.task.id for t in conv.tasks] == ["hpctranseval/add_relu_4_64", "hpctranseval/row_sum_32_128"]
    problems = [str(p) for p in conv.problems]
    assert problems == [
        "ops.json: record 2 (shapes_do_not_match): op_args: 3 names for 1 input shape(s) and 1 output shape(s): "
        "the shapes do not match the arguments",
        "ops.json: record 3 (no_such_function): c_code defines no function taking (x, y); it defines other",
    ]
    task = conv.tasks[0].task
    assert task.spec.kind == "cuda-to-cpu" and task.spec.baseline == "reference.c"
    assert task.spec.interface.signature == (
        "void default_function_kernel(const float *A, const float *B, float *T_relu);")
    assert [a.shape for a in task.spec.kernel.args] == [[4, 64], [4, 64], [4, 64]]
    assert task.spec.kernel.seeds == [1, 2, 3, 4, 5] and task.spec.kernel.rtol == 1e-4
    assert "__global__ void __launch_bounds__(256)" in task.spec.description  # the CUDA source, shown
    assert task.read("reference.c").startswith(b"/* Added by perfforge")
    assert (task.root / "ir.txt").is_file() and json.loads(task.read("hpctranseval.json"))["op_name"] == "add_relu_4_64"


def test_hpctranseval_samples_by_op_name_or_task_id(tmp_path):
    loader = get_loader("hpctranseval")
    conv = loader.convert(HTE / "ops.json", tmp_path)
    samples = loader.read_samples(HTE / "samples.jsonl", conv.index())
    assert [(s.task_id, s.index) for s in samples.samples] == [
        ("hpctranseval/add_relu_4_64", 0), ("hpctranseval/add_relu_4_64", 1), ("hpctranseval/row_sum_32_128", 0)]
    assert samples.samples[1].source.startswith("void default_function_kernel")  # the fence removed


def test_hpctranseval_refuses_bad_shapes_and_scalars(tmp_path):
    from benchmarks.loaders.hpctranseval import kernel_table

    good = json.loads((HTE / "ops.json").read_text())[0]
    with pytest.raises(ValueError, match="input_shape: expected a list of shapes"):
        kernel_table({**good, "input_shape": [4, 64]})
    with pytest.raises(ValueError, match="is a scalar in c_code"):
        kernel_table({**good, "c_code": "void f(float *A, float *B, int T_relu) {}"})


def test_kernelbench_problems_become_torch_module_tasks(tmp_path):
    conv = get_loader("kernelbench").convert(KB, tmp_path)
    assert [(t.external_id, t.task.id) for t in conv.tasks] == [
        ("1_square_matmul", "kernelbench/level1-1_square_matmul"),
        ("2_linear_relu_sum", "kernelbench/level1-2_linear_relu_sum")]
    assert [str(p) for p in conv.problems] == [
        "kernelbench: level2/3_no_inputs.py: defines no get_inputs (a KernelBench problem defines Model, "
        "get_inputs and get_init_inputs)"]
    task = conv.tasks[1].task
    kernel = task.spec.kernel
    assert task.spec.kind == "kernel" and task.spec.language == "python"
    assert kernel.function == "ModelNew" and kernel.torch.problem == "problem.py"
    assert kernel.rtol == kernel.atol == 1e-2 and len(kernel.seeds) == 5
    assert "self.linear = nn.Linear(in_features, out_features)" in task.spec.description


def test_kernelbench_samples_and_static_checks(tmp_path):
    loader = get_loader("kernelbench")
    conv = loader.convert(KB, tmp_path)
    samples = loader.read_samples(KB / "samples.jsonl", conv.index()).samples
    by_task = {t.task.id: t.task for t in conv.tasks}
    checks = [static_problems(by_task[s.task_id], s.source.encode()) for s in samples]
    assert checks[:3] == [[], [], []]
    assert checks[3] == ["anti-cheat: imports the task's reference module 'problem'"]
    assert static_problems(by_task[samples[0].task_id], b"class Model:\n    pass\n") == [
        "defines no top-level class 'ModelNew'"]
    assert static_problems(by_task[samples[0].task_id], b"def (:\n")[0].startswith("does not parse")


def test_torch_outputs_compared_allclose_with_shapes_and_counts():
    want = np.array([[1.0, 2.0]], dtype=np.float32)
    assert compare_outputs(want + 0.005, want, 1e-2, 1e-2) is None
    assert "shape (2,) where (1, 2)" in compare_outputs(want.reshape(-1), want, 1e-2, 1e-2)
    assert "1 output(s) where 2" in compare_outputs([want], [want, want], 1e-2, 1e-2)
    assert "differ, first at [1]" in compare_outputs(want * np.array([1, 2], dtype=np.float32), want, 1e-2, 1e-2)
    err, outputs, failures = trial_outputs([{"event": "start", "seed": 1}, {"event": "died", "why": "killed by signal 9"}])
    assert err is None and not outputs and "killed by signal 9" in failures[1]


def test_fast_p_over_timed_tasks():
    rows = [
        {"task_id": "a", "task_kind": "kernel", "correct": True, "speedup": 1.3, "method": "time (x)"},
        {"task_id": "b", "task_kind": "kernel", "correct": False, "method": "time (x)"},
        {"task_id": "c", "task_kind": "kernel", "correct": True, "speedup": 0.7, "method": "time (x)"},
        {"task_id": "c", "task_kind": "kernel", "correct": True, "speedup": 2.5, "method": "time (x)"},
    ]
    scores = summarize(rows)
    assert scores.fast_p_tasks == 3
    assert scores.fast_p["0"] == pytest.approx(100 * (1 + 0 + 1) / 3)
    assert scores.fast_p["1"] == pytest.approx(100 * (1 + 0 + 0.5) / 3)
    assert scores.fast_p["2"] == pytest.approx(100 * (0 + 0 + 0.5) / 3)
    assert not summarize([{**rows[0], "method": "valgrind-cachegrind"}]).fast_p  # instruction counts: no fast_p


def test_bench_import_cli_writes_kernel_tasks(tmp_path):
    out = tmp_path / "out"
    for fmt, data, n in (("hpctranseval", HTE / "ops.json", 2), ("kernelbench", KB, 2)):
        res = subprocess.run([sys.executable, "-m", "perfforge.cli", "bench", "import", str(data), "--format", fmt,
                              "--out", str(out / fmt), "--json"], capture_output=True, text=True, timeout=120)
        assert res.returncode == 1, res.stderr  # some records refused, the rest written
        report = json.loads(res.stdout)
        assert len(report["tasks"]) == n and report["problems"]
