"""isa-translate end to end in the docker sandbox: the bundled suite validates, a hand-written
AArch64 translation passes and a subtly wrong one fails, instruction counts under qemu are exact
and repeat, and every kind of bad input ends in a verdict or one clear error, never a hang."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.stress import stage
from benchmarks.suites import suite_tasks
from benchmarks.task import Task
from evaluators.kinds import isa_count
from evaluators.kinds.isa import compile_listings, line_ranges, merge_ranges, object_sections, parse_gcov
from evaluators.measure import measure, open_workspace, validate
from evaluators.programs import task_programs
from perfforge.errors import ToolchainError
from tests.evaluators.measure_fixtures import ROOT, box, perfforge_home  # noqa: F401

SUITE = ROOT / "benchmarks" / "suites" / "isa"
CANDIDATES = Path(__file__).resolve().parent / "isa_candidates"
ARGMAX = (CANDIDATES / "argmax_aarch64.s").read_bytes()
# the same translation with one condition flipped: equal values move the index, so the last of
# several maxima wins instead of the first (the test "first of equal maxima" covers that branch)
ARGMAX_TIES_WRONG = ARGMAX.replace(b"b.le\t.Lnext", b"b.lt\t.Lnext")
POPCOUNT = (CANDIDATES / "popcount_aarch64.s").read_bytes()


def copy_task(tmp_path: Path, name: str, **replace: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(SUITE / name, dest)
    toml = dest / "task.toml"
    text = toml.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    toml.write_text(text)
    return dest


# --- no sandbox: the linker's map and gcov's report ---------------------------------------------

MAP = """\
Archive member included to satisfy reference by file (symbol)

Linker script and memory map

.text           0x0000000000400240    0x5d6c0
 *(.text.unlikely .text.*_unlikely .text.unlikely.*)
 .text.unlikely
                0x0000000000400340        0x4 cand/solution.o
 .text.unlikely
                0x0000000000400344       0x20 /usr/lib/libc.a(abort.o)
 .text          0x00000000004006c0       0x28 _isa/driver.aarch64.o
                0x00000000004006c0                main
 .text          0x00000000004006e8        0x4 cand/solution.o
                0x00000000004006e8                f
 .text.a_very_long_section_name
                0x00000000004006ec        0x8 cand/solution.o
 *fill*         0x00000000004006f4        0x4
 .text          0x00000000004006f8      0x4a0 /usr/lib/libc.a(libc-start.o)
.rodata         0x0000000000460000      0x100
 .rodata        0x0000000000460010       0x10 cand/solution.o
.init_array     0x0000000000480000        0x8
 .init_array    0x0000000000480000        0x8 cand/solution.o
.data           0x0000000000490050        0x0
 .data          0x0000000000490050        0x0 cand/solution.o
.comment        0x0000000000000000       0x1e
 .comment       0x0000000000000000       0x1e cand/solution.o
"""


def test_object_sections_read_from_the_map():
    sections = object_sections(MAP, "cand/solution.o")
    assert sections == [(".text", 0x400340, 0x400344), (".text", 0x4006E8, 0x4006EC), (".text", 0x4006EC, 0x4006F4),
                        (".rodata", 0x460010, 0x460020), (".init_array", 0x480000, 0x480008)]
    assert merge_ranges(sections[:3]) == [(0x400340, 0x400344), (0x4006E8, 0x4006F4)]
    assert object_sections(MAP, "other.o") == []


def test_gcov_report_parsed():
    report = """\
        -:    0:Source:task/gcd.c
        -:    0:Runs:3
        -:    1:/* comment */
        3:    2:unsigned long gcd(unsigned long a, unsigned long b)
        -:    3:{
       12*:   4:    while (b != 0) {
    #####:    5:        never();
    =====:    6:        only_on_throw();
        9:    7:        b = t;
        3:    9:    return a;
"""
    cov = parse_gcov(report)
    assert cov.executable == 6 and cov.uncovered == [(5, "never();"), (6, "only_on_throw();")]
    assert cov.ratio == pytest.approx(4 / 6)
    assert parse_gcov("").ratio == 1.0
    assert line_ranges([9, 3, 4, 5, 11, 12]) == "3-5, 9, 11-12" and line_ranges([]) == ""


# --- the sandbox ----------------------------------------------------------------------------------


@pytest.mark.docker
@pytest.mark.parametrize("task", suite_tasks("isa"), ids=lambda t: t.id)
def test_every_bundled_task_validates(box, task):
    t0 = time.monotonic()
    report = validate(task, sandbox=box)
    assert report.ok, report.problems
    ref = report.programs[f"reference:{task.spec.references[0].level}"]
    assert ref["instructions"] > 1000  # counted under qemu, in the reference's own code
    assert "instructions" not in report.programs["baseline"]  # x86-64: not comparable, not counted
    assert report.tests >= 4 and report.stress_inputs == task.spec.stress.inputs
    assert task.spec.isa.target in report.provenance.compiler and "qemu" in report.provenance.compiler
    print(f"{task.id}: validated in {time.monotonic() - t0:.1f} s")


@pytest.mark.docker
def test_stored_listings_are_what_the_image_compiles(box):
    """The suite's x86-64 sources and cross -O2 references are the image's compilers' output."""
    with box.session() as session:
        for task in suite_tasks("isa"):
            isa = task.spec.isa
            made = compile_listings(session, isa.c_source, task.read(isa.c_source), isa)
            assert made["source"] == task.read(task.spec.baseline), task.id
            assert made["reference"] == task.read(task.spec.references[0].file), task.id


@pytest.mark.docker
def test_a_correct_translation_passes_and_a_subtly_wrong_one_fails(box):
    task = Task.load(SUITE / "argmax-aarch64")
    good = measure(task, ARGMAX, sandbox=box)
    assert good.correct and not good.failures
    i = good.instructions
    assert i.method == "qemu-plugin" and i.baseline_label == "reference:gcc -O2" and i.inputs == 2
    assert i.candidate > 0 and i.baseline == i.references["gcc -O2"] and i.speedup == i.baseline / i.candidate
    assert good.time is None and good.memory is None and good.energy is None
    assert any(n.startswith("time, memory, energy not taken") for n in good.notes)
    wrong = measure(task, ARGMAX_TIES_WRONG, sandbox=box)
    assert not wrong.correct and wrong.error is None
    assert wrong.failures[0].input == "first of equal maxima"
    assert "wrong output: stdout line 1: '3' != '1'" in wrong.failures[0].reason
    assert wrong.instructions is None


@pytest.mark.docker
def test_counts_are_exact_and_repeat(box, tmp_path):
    """popcount_aarch64.s executes 4 + 4 * popcount(x) instructions per call: the count must be
    exactly that, five times over, and the exec-log method must agree with the plugin."""
    task = Task.load(copy_task(tmp_path, "popcount-aarch64", **{"scale = 2000": "scale = 300"}))
    programs = task_programs(task, POPCOUNT)
    with open_workspace(task, programs, sandbox=box, need_valgrind=False) as ws:
        cand = programs[-1]
        assert cand.ok, cand.build_error
        staged = stage(task, ws)
        expected = 0
        for item in staged.stress:
            numbers = [int(v) for v in item["stdin"].split()[1:]]
            expected += sum(4 + 4 * bin(v).count("1") for v in numbers)
        assert isa_count.method_for(ws) == ("qemu-plugin", None)
        runs = [isa_count.count_program(ws, cand, staged, 0.1).instructions for _ in range(5)]
        assert runs == [expected] * 5
        logged = isa_count.count_program(ws, cand, staged, 0.1, method="qemu-exec-log")
        assert logged.instructions == expected and sum(logged.per_input) == expected
        ref = isa_count.count_program(ws, programs[1], staged, 0.1)  # gcc -O2: fmov, cnt, addv, fmov, ret
        assert ref.instructions == 5 * sum(int(item["stdin"].split()[0]) for item in staged.stress)


@pytest.mark.docker
def test_exec_log_counter_chosen_by_the_task(box, tmp_path):
    folder = copy_task(tmp_path, "gcd-riscv64", **{"[isa]\n": '[isa]\ncounter = "qemu-exec-log"\n',
                                                   "scale = 1500": "scale = 40"})
    report = validate(folder, sandbox=box)
    assert report.ok, report.problems
    again = copy_task(tmp_path / "b", "gcd-riscv64", **{"scale = 1500": "scale = 40"})
    plugin = validate(again, sandbox=box)
    ref = "reference:gcc -O2"
    assert report.programs[ref]["instructions"] == plugin.programs[ref]["instructions"] > 0


@pytest.mark.docker
@pytest.mark.parametrize("source, error", [
    (b".text\n.global argmax\nargmax:\n\tfoo x0, x1\n\tret\n",
     "the aarch64 assembler refused it: exit 1: cand/solution.s: Assembler messages:\ncand/solution.s:4: Error: "
     "unknown mnemonic `foo'"),
    (b".text\n.globl argmax\nargmax:\n\tmovl $-1, %eax\n\tret\n", "unknown mnemonic `movl'"),
    (b".text\nargmax:\n\tret\n", "undefined reference to `argmax'"),
    (b".text\n.global argmax\nargmax:\n\tb abs\n", "refers to symbols it does not define (abs)"),
    (b".text\n.global argmax\nargmax:\n\tret\n.section .init_array,\"aw\"\n\t.quad argmax\n",
     "puts code or pointers in .init_array"),
])
def test_a_translation_that_does_not_build_is_a_verdict(box, source, error):
    v = measure(Task.load(SUITE / "argmax-aarch64"), source, sandbox=box)
    assert not v.correct and v.failures[0].input == "build"
    assert error in v.error


@pytest.mark.docker
def test_crashes_and_hangs_under_qemu_are_verdicts(box, tmp_path):
    folder = copy_task(tmp_path, "argmax-aarch64", **{"time_floor_s = 10.0": "time_floor_s = 1.0"})
    segv = measure(folder, b".text\n.global argmax\nargmax:\n\tmov x0, #0\n\tldr w0, [x0]\n\tret\n", sandbox=box)
    assert not segv.correct and segv.failures[0].reason == "killed by signal 11"
    sve = measure(folder, b".arch armv8-a+sve\n.text\n.global argmax\nargmax:\n\tcntd x0\n\tret\n", sandbox=box)
    assert not sve.correct and sve.failures[0].reason == "killed by signal 4"  # not a Cortex-A72 instruction
    t0 = time.monotonic()
    hang = measure(folder, b".text\n.global argmax\nargmax:\n\tb argmax\n", sandbox=box)
    assert not hang.correct and hang.failures[0].reason.startswith("exceeded its time limit of 1.00 s")
    assert time.monotonic() - t0 < 120


@pytest.mark.docker
def test_missing_tools_in_the_image_are_one_clear_error(box, tmp_path):
    folder = copy_task(tmp_path, "gcd-aarch64", **{"[isa]\n": '[isa]\nqemu = "qemu-vax"\n'})
    with pytest.raises(ToolchainError, match=r"the sandbox has no qemu-user emulator for aarch64 \(qemu-vax\)") as info:
        measure(folder, (SUITE / "gcd-aarch64" / "gcd.aarch64.s").read_bytes(), sandbox=box)
    assert "perfforge sandbox build" in info.value.hint and "local backend" in info.value.hint
    folder = copy_task(tmp_path / "b", "gcd-riscv64", **{"[isa]\n": '[isa]\ncross_prefix = "riscv32-unknown-elf-"\n'})
    with pytest.raises(ToolchainError, match=r"no riscv64 cross compiler \(riscv32-unknown-elf-gcc\) and no "
                                             r"riscv64 binutils \(riscv32-unknown-elf-nm\)"):
        validate(folder, sandbox=box)


@pytest.mark.docker
def test_coverage_gate_names_the_lines_never_run(box, tmp_path):
    folder = copy_task(tmp_path, "dispatch-aarch64")
    cases = folder / "cases.py"
    cases.unlink()  # a copy of the shared file, not the link
    cases.write_text('CASES = [{"stdin": "1\\n10 3 0 1 2\\n"}]\n')
    report = validate(folder, sandbox=box, count=False)
    assert not report.ok and len(report.problems) == 1
    problem = report.problems[0]
    assert "the tests cover" in problem and "below the required 98%" in problem
    assert problem.startswith("the tests cover 50.0% of the 28 executable lines of dispatch.c, below the required 98%")
    assert "never run: lines 17-30 (17: `case 3:`, 18: `acc ^= 0x55;`, 19: `break;`, 20: `case 4:`, ...)" in problem


@pytest.mark.docker
def test_c_source_must_agree_with_the_baseline(box, tmp_path):
    folder = copy_task(tmp_path, "saturate-riscv64")
    source = folder / "saturate.c"
    text = source.read_text()
    source.unlink()
    source.write_text(text.replace("acc = INT16_MIN;", "acc = INT16_MIN + 1;"))
    report = validate(folder, sandbox=box, count=False)
    assert not report.ok
    assert any(p.startswith("saturate.c (built natively) disagrees with the baseline assembly on lower limit")
               for p in report.problems), report.problems


@pytest.mark.docker
def test_cli_measure_and_validate(perfforge_home, tmp_path):
    candidate = tmp_path / "solution.s"
    candidate.write_bytes(ARGMAX)
    env = {"PERFFORGE_HOME": str(perfforge_home), "PATH": "/usr/bin:/bin"}
    run = lambda *args: subprocess.run([sys.executable, "-m", "perfforge.cli", *args], capture_output=True, text=True,  # noqa: E731
                                       env=env, timeout=600)
    proc = run("measure", "--task", str(SUITE / "argmax-aarch64"), "--candidate", str(candidate), "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("isa/argmax-aarch64: CORRECT on 4 tests + 2 stress inputs")
    assert "(qemu-plugin, empty run subtracted" not in proc.stdout and "qemu-plugin" in proc.stdout
    verdict = json.loads(run("measure", "--task", str(SUITE / "argmax-aarch64"), "--candidate", str(candidate),
                             "--json", "-q").stdout)
    assert verdict["correct"] and verdict["instructions"]["method"] == "qemu-plugin"
    ok = run("task", "validate", str(SUITE / "crc32-riscv64"), "-q")
    assert ok.returncode == 0 and ok.stdout.startswith("isa/crc32-riscv64: OK"), ok.stdout + ok.stderr


@pytest.mark.docker
def test_bench_evaluate_compares_samples_with_the_cross_compilers_listing(box, perfforge_home):
    from agent.store import RunStore
    from benchmarks.evaluate import EvalTask, Evaluation, references_as_samples

    items = [EvalTask(Task.load(SUITE / "popcount-riscv64"), "isa")]
    store = RunStore(perfforge_home / "isa-evaluate.sqlite")
    run_id = store.create_run("evaluate", {"test": True}).id
    outcome = Evaluation(tasks=items, samples=references_as_samples(items), store=store, run_id=run_id,
                         format="suite", model="m", sandbox=box).run()
    assert outcome.written == 1 and not outcome.failed_tasks
    (row,) = [r.payload for _, r in store.results([run_id])]
    assert row["correct"] and row["method"] == "qemu-plugin" and row["baseline_label"] == "reference:gcc -O2"
    assert row["instructions"] == row["baseline_instructions"] == row["references"]["gcc -O2"] > 0
    assert row["speedup"] == 1.0
