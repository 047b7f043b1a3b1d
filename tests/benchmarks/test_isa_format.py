"""The [isa] table and the bundled ``isa`` suite: what loads, what the description gains, and
every malformation refused with its field named.  (Building and running them: tests/evaluators/test_isa.py.)"""

import shutil
from pathlib import Path

import pytest

from benchmarks.isa import TARGETS, IsaSpec
from benchmarks.suites import suite_info, suite_tasks
from benchmarks.task import EVALUATED_KINDS, Task
from perfforge.errors import TaskError

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "suites" / "isa"


def copy_task(tmp_path: Path, name: str = "gcd-aarch64") -> Path:
    dest = tmp_path / name
    shutil.copytree(SUITE / name, dest)  # the shared files are links: the copy holds their contents
    return dest


def edit(folder: Path, old: str, new: str) -> Path:
    toml = folder / "task.toml"
    text = toml.read_text()
    assert old in text, old
    toml.write_text(text.replace(old, new))
    return folder


def test_suite_has_every_function_for_both_targets():
    tasks = suite_tasks("isa")
    info = suite_info("isa")
    assert info.kinds == {"isa-translate": len(tasks)} and not info.problems
    functions = {t.id.split("/")[1].rsplit("-", 1)[0] for t in tasks}
    assert len(functions) >= 6
    assert {(f, target) for f in functions for target in TARGETS} == {
        (t.id.split("/")[1].rsplit("-", 1)[0], t.spec.isa.target) for t in tasks}
    assert "isa-translate" in EVALUATED_KINDS


@pytest.mark.parametrize("task", suite_tasks("isa"), ids=lambda t: t.id)
def test_bundled_task_is_complete(task):
    spec, isa = task.spec, task.spec.isa
    assert spec.language == "asm" and spec.candidate == "solution.s"
    assert spec.baseline.endswith(".x86_64.s") and spec.references[0].file.endswith(f".{isa.target}.s")
    source = task.read(spec.baseline).decode()
    assert f"{spec.interface.function}:" in source and "call" not in source  # self-contained, as the translation must be
    assert f" {spec.interface.function}(" in task.read(isa.c_source).decode()
    assert spec.tests.file and spec.stress.scale and spec.stress.inputs <= 3
    files = task.files()
    assert {spec.baseline, isa.c_source, "driver.c", "cases.py", "generate.py"} <= set(files)
    # the model reads what it must know: the source, the target, the calling convention
    desc = spec.description
    assert TARGETS[isa.target].abi in desc and spec.interface.signature in desc and isa.tools.cpu in desc


def test_description_gains_the_target_paragraph(tmp_path):
    task = Task.load(copy_task(tmp_path, "gcd-riscv64"))
    desc = task.spec.description
    assert desc.startswith("Translate the x86-64 assembly of `gcd` into RISC-V")
    assert "Target: RISC-V RV64GC" in desc and "qemu-riscv64 -cpu sifive-u54" in desc and "LP64D" in desc
    assert ("[isa] c_source", "gcd.c") in task.named_files() and task.is_compiled


def test_overrides_and_defaults():
    isa = IsaSpec(target="aarch64", c_source="f.c")
    assert isa.tools.qemu == "qemu-aarch64" and isa.tools.cpu == "cortex-a72" and isa.counter == "qemu-plugin"
    assert isa.coverage == 0.98 and isa.source_flags == ["-O2"]
    other = IsaSpec(target="riscv64", c_source="./f.c", cpu="rv64", qemu="/opt/qemu-riscv64")
    assert other.tools.cpu == "rv64" and other.tools.qemu == "/opt/qemu-riscv64" and other.c_source == "f.c"
    assert other.tools.cross_prefix == "riscv64-linux-gnu-"


@pytest.mark.parametrize("old, new, message", [
    ('target = "aarch64"', 'target = "mips"', r"\[isa\] target: Input should be 'aarch64' or 'riscv64'"),
    ('c_source = "gcd.c"', 'c_source = "../gcd.c"', r"\[isa\] c_source: must be a relative path inside"),
    ('c_source = "gcd.c"', 'c_source = "nope.c"', r"\[isa\] c_source: file 'nope.c' not found"),
    ('reference_flags = ["-O2"]', 'reference_flags = ["-O2", "-o", "x"]', r"\[isa\] reference_flags: compiler options only"),
    ('[isa]\n', '[isa]\ncoverage = 1.5\n', r"\[isa\] coverage: Input should be less than or equal to 1"),
    ('[isa]\n', '[isa]\ncounter = "perf"\n', r"\[isa\] counter: Input should be 'qemu-plugin' or 'qemu-exec-log'"),
    ('[isa]\n', '[isa]\nspeed = 1\n', r"\[isa\] speed: unknown field"),
    ('language = "asm"', 'language = "c"', r"an isa-translate task is language asm with a c-function interface"),
    ('baseline = "gcd.x86_64.s"\n', '', r"names the source assembly as its baseline"),
])
def test_malformed_isa_tables_name_the_field(tmp_path, old, new, message):
    folder = edit(copy_task(tmp_path), old, new)
    with pytest.raises(TaskError, match=message):
        Task.load(folder)


def test_the_table_and_the_kind_go_together(tmp_path):
    folder = copy_task(tmp_path)
    toml = folder / "task.toml"
    text = toml.read_text()
    without = text[: text.index("[isa]")] + text[text.index("[tests]"):]
    toml.write_text(without)
    with pytest.raises(TaskError, match=r"isa: a isa-translate task needs an \[isa\] table"):
        Task.load(folder)
    toml.write_text(text.replace('kind = "isa-translate"', 'kind = "perf-edit"').replace('language = "asm"', 'language = "c"'))
    with pytest.raises(TaskError, match=r"isa: a perf-edit task has no \[isa\] table"):
        Task.load(folder)


def test_bench_list_and_show_know_the_kind():
    import subprocess
    import sys

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "perfforge.cli", *args], capture_output=True, text=True, timeout=120)

    listed = cli("bench", "list")
    assert listed.returncode == 0 and "isa-translate 16; asm" in listed.stdout.replace("  ", " ")
    shown = cli("bench", "show", "isa/crc32-riscv64")
    assert shown.returncode == 0, shown.stderr
    assert ("  isa         x86_64 -> riscv64, run by qemu-riscv64 -cpu sifive-u54, counted by qemu-plugin; "
            "crc32.c covered >= 98% by the tests") in shown.stdout
    assert "Calling convention: LP64D" in shown.stdout
