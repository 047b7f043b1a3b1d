"""The [kernel] table: what it makes (interface, trials, stress inputs, driver, description)
and every malformation refused with its field named.  The generated driver is compiled
with the host's gcc and fed inputs made by the sandbox-side input maker."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from benchmarks import kernel_inputs as ki
from benchmarks.kernels import DRIVER, KernelSpec, driver_source
from benchmarks.task import EVALUATED_KINDS, CFunction, PythonFunction, Task
from evaluators.kinds import KINDS
from evaluators.kinds.kernel import OutputError, compare_arrays, decode_outputs, kernel_stdout
from perfforge.errors import TaskError

AXPY = '''\
schema = 1
id = "t/axpy"
kind = "kernel"
language = "c"
title = "axpy"
candidate = "solution.c"
baseline = "naive.c"

[kernel]
function = "axpy"
args = [
  { name = "n", value = "n" },
  { name = "alpha", type = "float32" },
  { name = "x", shape = ["n"] },
  { name = "y", shape = ["n"], io = "inout" },
]
sizes = [{ n = 1 }, { n = 37 }]
stress = [{ n = 1000 }]
seeds = [1, 2]
'''
NAIVE = "void axpy(int n, float alpha, const float *x, float *y) { for (int i = 0; i < n; i++) y[i] += alpha * x[i]; }\n"


def make_task(tmp_path: Path, toml: str = AXPY, files: dict[str, str] | None = None) -> Path:
    folder = tmp_path / "task"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "task.toml").write_text(toml)
    for name, text in {"naive.c": NAIVE, **(files or {})}.items():
        (folder / name).write_text(text)
    return folder


def test_kernel_table_makes_interface_trials_and_stress(tmp_path):
    task = Task.load(make_task(tmp_path))
    iface = task.spec.interface
    assert isinstance(iface, CFunction) and iface.driver == DRIVER
    assert iface.signature == "void axpy(int n, float alpha, const float *x, float *y);"
    assert task.spec.build.openmp and task.spec.tests.file and task.spec.stress.file
    assert "`y`: float32 array of shape [n]" in task.spec.description and "OMP_NUM_THREADS=2" in task.spec.description
    files = task.files()
    assert {"task.toml", "naive.c", DRIVER, "_kernel/cases.py", "_kernel/stress.py", "_kernel/inputs.py"} <= set(files)
    assert task.read(DRIVER) == files[DRIVER]
    changed = make_task(tmp_path / "other", AXPY.replace("seeds = [1, 2]", "seeds = [3]"))
    assert Task.load(changed).content_hash() != task.content_hash()


def test_python_kernel_is_a_function_compared_within_the_tolerance(tmp_path):
    toml = AXPY.replace('language = "c"', 'language = "python"').replace("solution.c", "solution.py") \
        .replace("naive.c", "naive.py").replace("seeds = [1, 2]", "seeds = [1, 2]\nrtol = 1e-3")
    task = Task.load(make_task(tmp_path, toml, {"naive.py": "def axpy(n, a, x, y):\n    y += a * x\n"}))
    assert isinstance(task.spec.interface, PythonFunction) and task.spec.interface.function == "axpy"
    assert task.spec.compare.mode == "float" and task.spec.compare.rel_tol == 1e-3
    assert DRIVER not in task.files()


@pytest.mark.parametrize("edit, match", [
    (('shape = ["n"] }', 'shape = ["m"] }'), r"\[kernel\] .*'m' is not a size"),
    (('{ name = "alpha"', '{ name = "int"'), r"\[kernel\] args.1.name: .*reserved"),
    (('{ name = "n", value = "n" }', '{ name = "n", value = "n", io = "out" }'), "a scalar is an input"),
    (('io = "inout"', 'io = "in"'), "the kernel has no output"),
    (('shape = ["n"] }', 'shape = ["n//0"] }'), "division by zero"),
    (('shape = ["n"] }', 'shape = ["__import__(1)"] }'), "only integers, size names"),
    (('seeds = [1, 2]', 'seeds = [1, 2]\nspeed = 3'), r"\[kernel\] speed: unknown field"),
    (('baseline = "naive.c"\n', ''), "baseline: a kernel task names its reference"),
    (('[kernel]', '[interface]\ntype = "process"\n\n[kernel]'), r"\[interface\]: a kernel task's interface come from \[kernel\]"),
    (('kind = "kernel"', 'kind = "cuda-to-cpu"'), r"\[kernel\] cuda: a cuda-to-cpu task names its CUDA source"),
    (('seeds = [1, 2]', 'seeds = [1, 2]\ngenerator = "gen.py"'), r"\[kernel\] generator: file 'gen.py' not found"),
    (('kind = "kernel"', 'kind = "perf-edit"'), r"\[kernel\]: only kernel and cuda-to-cpu"),
])
def test_malformed_kernel_tables_are_refused_naming_the_field(tmp_path, edit, match):
    old, new = edit
    assert old in AXPY
    with pytest.raises(TaskError, match=match):
        Task.load(make_task(tmp_path, AXPY.replace(old, new)))


def test_a_kernel_kind_needs_the_table(tmp_path):
    toml = AXPY.split("[kernel]")[0] + '[interface]\ntype = "process"\n[tests]\ncases = [{stdin = ""}]\n' \
        '[stress]\ngenerator = "naive.c"\n'
    with pytest.raises(TaskError, match=r"\[kernel\]: a kernel task needs a \[kernel\] table"):
        Task.load(make_task(tmp_path, toml))


def test_every_evaluated_kind_has_its_support_and_no_other():
    assert set(KINDS) == set(EVALUATED_KINDS)


def test_size_expressions():
    assert ki.size_of("n*(n+1)//2", {"n": 4}) == 10
    assert ki.size_of(7, {}) == 7
    assert ki.names_of("rows*cols + 1") == {"rows", "cols"}
    with pytest.raises(ki.SizeError):
        ki.size_of("n.real", {"n": 1})


def _spec(task: Task) -> dict:
    return task.spec.kernel.json_for_inputs(task.spec.language)


def test_inputs_are_reproducible_and_shaped(tmp_path):
    task = Task.load(make_task(tmp_path))
    spec = _spec(task)
    a = ki.arguments(spec, {"n": 5}, seed=3)
    b = ki.arguments(spec, {"n": 5}, seed=3)
    assert a[0] == 5 and isinstance(a[1], float) and a[2].shape == (5,) and a[3].dtype == np.float32
    assert all(np.array_equal(x, y) for x, y in zip(a[2:], b[2:])) and a[1] == b[1]
    assert not np.array_equal(a[2], ki.arguments(spec, {"n": 5}, seed=4)[2])
    data = ki.stdin_bytes(spec, a)
    assert len(data) == 4 + 4 + (8 + 20) * 2


def test_generator_values_are_checked_against_the_declared_shape(tmp_path):
    toml = AXPY.replace("seeds = [1, 2]", 'seeds = [1, 2]\ngenerator = "gen.py"')
    folder = make_task(tmp_path, toml, {"gen.py": "def make(sizes, rng):\n    return {'x': [1.0] * (sizes['n'] + 1)}\n"})
    task = Task.load(folder)
    spec = _spec(task)
    gen_dir = folder / "_kernel"  # the generator is found from the inputs module's folder, as in the sandbox
    gen_dir.mkdir()
    for name, data in task.generated.items():
        (folder / name).write_bytes(data)
    inputs = _import(folder / "_kernel" / "inputs.py")
    with pytest.raises(ValueError, match=r"generator gave x 4 elements .* is \(3,\) at n=3"):
        inputs.arguments(spec, {"n": 3}, seed=1)


def _import(path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("kinputs_copy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc on this machine")
def test_generated_driver_round_trips_inputs_and_outputs(tmp_path):
    """The driver reads what the input maker writes and writes what the comparison reads."""
    toml = AXPY.replace('{ name = "y", shape = ["n"], io = "inout" },',
                        '{ name = "y", shape = ["n"], io = "inout" },\n  { name = "idx", type = "int64", shape = ["2"], io = "out" },') \
        .replace('function = "axpy"', 'function = "axpy"\nreturns = "float64"')
    task = Task.load(make_task(tmp_path, toml))
    kernel = task.spec.kernel
    code = ("#include <stdint.h>\ndouble axpy(int n, float alpha, const float *x, float *y, int64_t *idx) {\n"
            "  double s = 0; for (int i = 0; i < n; i++) { y[i] += alpha * x[i]; s += y[i]; }\n"
            "  idx[0] = n; return s; }\n")
    (tmp_path / "driver.c").write_text(driver_source(kernel))
    (tmp_path / "k.c").write_text(code)
    for empty in (False, True):
        exe = tmp_path / ("empty" if empty else "prog")
        subprocess.run(["gcc", "-std=c11", "-O2", *(["-DPERFFORGE_EMPTY"] if empty else []), "-o", str(exe),
                        str(tmp_path / "driver.c"), str(tmp_path / "k.c")], check=True, timeout=60)
    spec = _spec(task)
    values = ki.arguments(spec, {"n": 37}, seed=2)
    stdin = ki.stdin_bytes(spec, values)
    out = subprocess.run([str(tmp_path / "prog")], input=stdin, capture_output=True, timeout=30, check=True).stdout
    decoded = dict(decode_outputs(kernel, out))
    y = values[3] + np.float32(values[1]) * values[2]
    np.testing.assert_allclose(decoded["y"], y, rtol=1e-6)
    assert list(decoded["idx"]) == [37, -1]  # the element the kernel left holds the fill
    assert decoded["return value"][0] == pytest.approx(float(y.astype(np.float64).sum()), rel=1e-5)
    assert kernel_stdout(task, out, out) is None
    empty = subprocess.run([str(tmp_path / "empty")], input=stdin, capture_output=True, timeout=30)
    assert empty.returncode == 0 and empty.stdout == b""
    short = subprocess.run([str(tmp_path / "prog")], input=stdin[:-3], capture_output=True, timeout=30)
    assert short.returncode == 90 and b"cut short" in short.stderr
    longer = subprocess.run([str(tmp_path / "prog")], input=stdin + b"x", capture_output=True, timeout=30)
    assert longer.returncode == 92


def test_output_comparison_is_allclose_and_says_where(tmp_path):
    kernel = Task.load(make_task(tmp_path)).spec.kernel
    want = np.array([1.0, np.nan, 100.0], dtype=np.float32)
    assert compare_arrays("y", want + np.float32(1e-7), want, 1e-5, 1e-6) is None  # NaN equals NaN
    reason = compare_arrays("y", np.array([1.0, np.nan, 100.1], dtype=np.float32), want, 1e-5, 1e-6)
    assert reason.startswith("y: 1 of 3 element(s) differ, first at [2]")
    assert "2 element(s) where 3" in compare_arrays("y", want[:2], want, 0, 0)
    framed = np.int64(3).tobytes() + want.tobytes()
    assert [n for n, _ in decode_outputs(kernel, framed)] == ["y"]
    with pytest.raises(OutputError, match="more than the outputs"):
        decode_outputs(kernel, framed + b"hello")
    with pytest.raises(OutputError, match="cut short"):
        decode_outputs(kernel, framed[:-1])


def test_kernel_spec_signature_and_outputs():
    spec = KernelSpec.model_validate({
        "function": "f", "returns": "int", "dtype": "float64",
        "args": [{"name": "n", "value": "n"}, {"name": "a", "shape": ["n", 2]}, {"name": "o", "shape": ["n"], "io": "out",
                                                                                  "type": "int"}],
        "sizes": [{"n": 2}], "stress": [{"n": 4}]})
    assert spec.signature() == "int f(int n, const double *a, int *o);"
    assert spec.outputs() == [("return value", "int"), ("o", "int")]
