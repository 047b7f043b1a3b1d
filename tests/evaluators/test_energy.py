"""Energy: the estimate on this machine (no RAPL), and RAPL reading on a powercap tree."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from evaluators.energy import (
    NO_RAPL,
    P_CORE_W,
    P_MEM_W_PER_GIB,
    EnergySources,
    counter_delta,
    detect_sources,
    estimate_energy,
    measure_energy,
    rapl_domains,
)


class Usage(BaseModel):
    wall_s: float
    cpu_s: float
    peak_rss_kib: int


def _burn(seconds: float, megabytes: int = 0, timeout_s: float = 30.0) -> Usage:
    """A real child process that keeps one core busy for about ``seconds`` CPU seconds;
    its own rusage (wait4) gives CPU time and peak RSS."""
    code = (
        f"import time; block = bytearray({megabytes} << 20); end = time.process_time() + {seconds}\n"
        "while time.process_time() < end: pass\n"
    )
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout_s:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            pytest.fail("the burner did not finish in time")
        time.sleep(0.005)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    assert proc.returncode == 0
    return Usage(
        wall_s=time.perf_counter() - started, cpu_s=usage.ru_utime + usage.ru_stime, peak_rss_kib=usage.ru_maxrss
    )


# ----------------------------------------------------------------------------- this machine


def test_this_machine_reports_why_nothing_is_measured() -> None:
    sources = detect_sources()
    if sources.rapl:
        pytest.skip("this machine has readable RAPL domains")
    assert sources.rapl_reason is not None and sources.rapl_reason.startswith(NO_RAPL)


def test_a_real_run_without_rapl_is_estimated_and_says_why() -> None:
    sources = detect_sources()
    if sources.rapl:
        pytest.skip("this machine has readable RAPL domains")
    usage, energy = measure_energy(lambda: _burn(0.2, megabytes=64), sources=sources)
    assert energy.method == "estimated" and energy.scope == "process"
    assert energy.reason is not None and NO_RAPL in energy.reason
    assert all(part.method == "estimated" for part in energy.parts)
    assert {part.component for part in energy.parts} == {"cpu", "memory"}
    expected = usage.cpu_s * P_CORE_W + usage.peak_rss_kib / 2**20 * usage.wall_s * P_MEM_W_PER_GIB
    assert energy.joules == pytest.approx(expected)
    assert usage.cpu_s >= 0.15 and usage.peak_rss_kib >= 64 * 1024
    assert energy.cpu_s == usage.cpu_s and energy.peak_rss_kib == usage.peak_rss_kib


def test_estimate_grows_with_the_work_done() -> None:
    short = estimate_energy(_burn(0.1), "test")
    long = estimate_energy(_burn(0.4), "test")
    assert long.joules > 2.5 * short.joules
    assert short.method == long.method == "estimated"


@pytest.mark.skipif(importlib.util.find_spec("pynvml") is not None, reason="pynvml is installed here")
def test_gpu_energy_without_nvml_is_reported_missing() -> None:
    sources = detect_sources()
    assert sources.nvml_devices == 0 and sources.nvml_reason == "NVML unavailable: pynvml is not installed"
    _, energy = measure_energy(lambda: Usage(wall_s=1.0, cpu_s=1.0, peak_rss_kib=1024), include_gpu=True, sources=sources)
    assert energy.reason is not None and "GPU energy not included: NVML unavailable" in energy.reason
    assert "gpu" not in {part.component for part in energy.parts}


# ----------------------------------------------------------------------------- RAPL reading


def _zone(root: Path, zone: str, name: str, energy: str, max_range: int = 10_000_000) -> Path:
    path = root / zone
    path.mkdir(parents=True)
    (path / "name").write_text(name + "\n")
    (path / "energy_uj").write_text(energy + "\n")
    (path / "max_energy_range_uj").write_text(f"{max_range}\n")
    return path


def test_rapl_counts_packages_and_dram_only(tmp_path: Path) -> None:
    package = _zone(tmp_path, "intel-rapl:0", "package-0", "1000000")
    _zone(tmp_path, "intel-rapl:0:0", "core", "5")  # inside the package: not added again
    dram = _zone(tmp_path, "intel-rapl:0:1", "dram", "9000000")
    _zone(tmp_path, "intel-rapl:1", "psys", "7")  # contains the package: not added
    _zone(tmp_path, "intel-rapl:2", "package-1", "not a number")  # unreadable: skipped
    domains, reason = rapl_domains(tmp_path)
    assert [(d.zone, d.name) for d in domains] == [("intel-rapl:0", "package-0"), ("intel-rapl:0:1", "dram")]
    assert reason is None

    def run() -> Usage:
        (package / "energy_uj").write_text("3500000\n")  # +2.5 J
        (dram / "energy_uj").write_text("500000\n")  # wrapped at 10 J: +1.5 J
        return Usage(wall_s=1.0, cpu_s=0.9, peak_rss_kib=2048)

    sources = EnergySources(rapl=domains)
    _, energy = measure_energy(run, sources=sources)
    assert energy.method == "measured" and energy.scope == "machine" and energy.reason is None
    assert [(p.component, p.joules) for p in energy.parts] == [("cpu", 2.5), ("dram", 1.5)]
    assert energy.joules == pytest.approx(4.0)
    assert energy.source == "rapl:intel-rapl:0(package-0) + rapl:intel-rapl:0:1(dram)"


def test_rapl_without_dram_says_memory_is_left_out(tmp_path: Path) -> None:
    _zone(tmp_path, "intel-rapl:0", "package-0", "100")
    domains, _ = rapl_domains(tmp_path)
    _, energy = measure_energy(lambda: Usage(wall_s=1, cpu_s=1, peak_rss_kib=1), sources=EnergySources(rapl=domains))
    assert energy.method == "measured" and energy.joules == 0.0
    assert energy.reason == "no RAPL DRAM domain: memory energy not included"


def test_no_usable_zone_is_reported(tmp_path: Path) -> None:
    assert rapl_domains(tmp_path / "absent") == ([], f"{NO_RAPL} (no intel-rapl zones under {tmp_path / 'absent'})")
    _zone(tmp_path, "intel-rapl:0", "package-0", "garbage")
    domains, reason = rapl_domains(tmp_path)
    assert domains == [] and reason == f"{NO_RAPL} (intel-rapl:0: ValueError)"


def test_counter_delta_undoes_one_wrap() -> None:
    assert counter_delta(100, 250, 1000) == 150
    assert counter_delta(900, 50, 1000) == 150
    assert counter_delta(7, 7, 1000) == 0
