"""Energy of a run: measured where the machine has energy counters, estimated otherwise.

Measured sources
    * **RAPL** through Linux powercap: ``/sys/class/powercap/intel-rapl:*/energy_uj``
      (Intel, and AMD on recent kernels).  The package domains (``package-N``) and DRAM
      domains (``dram``) are summed; ``core``/``uncore`` lie inside the package and
      ``psys`` contains it, so they are skipped to avoid counting twice.  Counters wrap at
      ``max_energy_range_uj``; one wrap per run is undone.  RAPL counts the whole socket,
      so a measurement includes whatever else ran meanwhile (``scope="machine"``).
    * **NVML** (NVIDIA GPUs, when the optional ``pynvml`` module is installed and the
      driver answers): total energy per device in millijoules, read before and after the
      run.  Included only when the caller says the run uses the GPU.

Estimated (always ``method="estimated"``, never shown as measured)
    When no RAPL domain can be read, the CPU side of a run is estimated from what the
    sandbox measured for the process tree::

        E = cpu_s * P_CORE_W  +  (peak_rss_kib / 2**20) * wall_s * P_MEM_W_PER_GIB

    * ``P_CORE_W = 10`` W per busy core: the thermal design power per core of typical
      parts, the approach of Green Algorithms (Lannelongue, Grealey & Inouye, Advanced
      Science 2021).  Server parts sit near 7.5 W/core (Xeon Gold 6148: 150 W / 20
      cores), desktop parts near 12 W/core (Core i9-9900K: 95 W / 8 cores); 10 W is a
      round value between them.  Using CPU seconds (not wall seconds) charges only the
      cores the run kept busy.
    * ``P_MEM_W_PER_GIB = 0.375`` W per GiB resident: CodeCarbon's rule of 3 W per 8 GB
      of RAM (Green Algorithms uses 0.3725 W/GB).  Peak RSS over the whole wall time
      over-states the memory term for runs whose footprint grows late.

    The estimate is a model, good for ranking candidates of one task against each other
    (it moves with CPU time and memory), not an absolute figure: compare estimates only
    with estimates.  Its ``reason`` says why nothing was measured.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

POWERCAP = Path("/sys/class/powercap")
P_CORE_W = 10.0
P_MEM_W_PER_GIB = 0.375
MODEL = f"E = cpu_s * {P_CORE_W:g} W + peak_rss_GiB * wall_s * {P_MEM_W_PER_GIB:g} W/GiB"
NO_RAPL = "no RAPL powercap domain readable"

Method = Literal["measured", "estimated"]


class ResourceUsage(Protocol):
    """What the sandbox reports about a run (``sandbox.models.ExecResult`` matches)."""

    @property
    def wall_s(self) -> float: ...

    @property
    def cpu_s(self) -> float: ...

    @property
    def peak_rss_kib(self) -> int: ...


U = TypeVar("U", bound=ResourceUsage)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RaplDomain(_Frozen):
    """One readable powercap zone that is counted (a package or a DRAM domain)."""

    zone: str = Field(description="the sysfs zone, e.g. intel-rapl:0")
    name: str = Field(description="the zone's own name, e.g. package-0 or dram")
    path: Path
    max_range_uj: int


class EnergySources(_Frozen):
    """What this machine offers for measuring energy, and why a source is missing."""

    rapl: list[RaplDomain]
    rapl_reason: str | None = Field(default=None, description="why no RAPL domain is used")
    nvml_devices: int = 0
    nvml_reason: str | None = Field(default=None, description="why NVML is not used")


class EnergyPart(_Frozen):
    component: Literal["cpu", "dram", "memory", "gpu"]
    joules: float
    method: Method
    source: str


class EnergyResult(_Frozen):
    """Energy of one run.  ``method`` is "measured" only when every part was measured."""

    joules: float
    method: Method
    source: str = Field(description="where the figure comes from: rapl:..., nvml:..., or the model")
    scope: Literal["machine", "process"] = Field(
        description="machine: counters that include everything running; process: the run's own usage"
    )
    reason: str | None = Field(default=None, description="why (part of) the figure is estimated, or what it leaves out")
    parts: list[EnergyPart]
    wall_s: float
    cpu_s: float
    peak_rss_kib: int


# ---------------------------------------------------------------------------------------
# detection


def _read_int(path: Path) -> int:
    return int(path.read_text().strip())


def rapl_domains(root: Path = POWERCAP) -> tuple[list[RaplDomain], str | None]:
    """The readable package and DRAM domains under ``root``, and why none when empty."""
    zones = sorted(root.glob("intel-rapl:*")) if root.is_dir() else []
    domains: list[RaplDomain] = []
    unreadable: list[str] = []
    for zone in zones:
        try:
            name = (zone / "name").read_text().strip()
            if not (name.startswith("package") or name == "dram"):
                continue
            _read_int(zone / "energy_uj")
            max_range = _read_int(zone / "max_energy_range_uj")
        except (OSError, ValueError) as exc:
            unreadable.append(f"{zone.name}: {exc.__class__.__name__}")
            continue
        domains.append(RaplDomain(zone=zone.name, name=name, path=zone, max_range_uj=max_range))
    if domains:
        return domains, None
    if unreadable:
        return [], f"{NO_RAPL} ({'; '.join(unreadable)})"
    return [], f"{NO_RAPL} (no intel-rapl zones under {root})"


@contextlib.contextmanager
def _nvml() -> Iterator[Any]:
    """The initialised pynvml module; raises ImportError or pynvml's NVMLError."""
    import pynvml  # optional: only present where the NVIDIA bindings were installed

    pynvml.nvmlInit()
    try:
        yield pynvml
    finally:
        pynvml.nvmlShutdown()


def _nvml_energy_mj() -> list[int]:
    with _nvml() as nv:
        handles = [nv.nvmlDeviceGetHandleByIndex(i) for i in range(nv.nvmlDeviceGetCount())]
        return [int(nv.nvmlDeviceGetTotalEnergyConsumption(h)) for h in handles]


def nvml_status() -> tuple[int, str | None]:
    """(devices whose energy counter answers, why none)."""
    try:
        import pynvml
    except ImportError:
        return 0, "NVML unavailable: pynvml is not installed"
    try:
        counts = _nvml_energy_mj()
    except pynvml.NVMLError as exc:  # no driver, no device, or a GPU without an energy counter
        return 0, f"NVML unavailable: {exc}"
    return (len(counts), None) if counts else (0, "NVML reports no GPU")


def detect_sources(root: Path = POWERCAP) -> EnergySources:
    """Probe RAPL and NVML once."""
    domains, rapl_reason = rapl_domains(root)
    devices, nvml_reason = nvml_status()
    return EnergySources(rapl=domains, rapl_reason=rapl_reason, nvml_devices=devices, nvml_reason=nvml_reason)


# ---------------------------------------------------------------------------------------
# measuring and estimating


def counter_delta(start: int, end: int, max_range: int) -> int:
    """Energy between two readings of a counter that wraps at ``max_range`` (one wrap)."""
    return end - start if end >= start else end + max_range - start


def estimate_parts(cpu_s: float, wall_s: float, peak_rss_kib: int) -> list[EnergyPart]:
    """The model's CPU and memory terms (module doc)."""
    memory_gib = peak_rss_kib / 2**20
    return [
        EnergyPart(component="cpu", joules=cpu_s * P_CORE_W, method="estimated", source=f"model: cpu_s * {P_CORE_W:g} W"),
        EnergyPart(
            component="memory",
            joules=memory_gib * wall_s * P_MEM_W_PER_GIB,
            method="estimated",
            source=f"model: peak_rss_GiB * wall_s * {P_MEM_W_PER_GIB:g} W/GiB",
        ),
    ]


def estimate_energy(usage: ResourceUsage, reason: str) -> EnergyResult:
    """The estimate alone, from a run's CPU time, wall time and peak RSS."""
    return _result(estimate_parts(usage.cpu_s, usage.wall_s, usage.peak_rss_kib), usage, reason)


def _result(parts: list[EnergyPart], usage: ResourceUsage, reason: str | None) -> EnergyResult:
    measured = all(p.method == "measured" for p in parts)
    return EnergyResult(
        joules=sum(p.joules for p in parts),
        method="measured" if measured else "estimated",
        source=" + ".join(p.source for p in parts),
        scope="machine" if any(p.method == "measured" for p in parts) else "process",
        reason=reason,
        parts=parts,
        wall_s=usage.wall_s,
        cpu_s=usage.cpu_s,
        peak_rss_kib=usage.peak_rss_kib,
    )


def measure_energy(
    run: Callable[[], U], *, include_gpu: bool = False, sources: EnergySources | None = None
) -> tuple[U, EnergyResult]:
    """Run ``run`` and account for its energy.

    ``run`` performs one execution and returns its resource usage (an ``ExecResult``
    does).  RAPL domains, when readable, are read before and after; otherwise the CPU
    and memory terms are estimated from the returned usage and the result says why.
    With ``include_gpu`` the NVML energy of every GPU is added (measured) when NVML
    answers; a run that needs the GPU on a machine without NVML is reported with the
    reason.  ``sources`` defaults to :func:`detect_sources` (pass one to probe once).
    """
    sources = sources or detect_sources()
    use_gpu = include_gpu and sources.nvml_devices > 0
    rapl_start = [_read_int(d.path / "energy_uj") for d in sources.rapl]
    gpu_start = _nvml_energy_mj() if use_gpu else []
    usage = run()
    rapl_end = [_read_int(d.path / "energy_uj") for d in sources.rapl]
    gpu_end = _nvml_energy_mj() if use_gpu else []

    notes: list[str] = []
    if sources.rapl:
        parts = [
            EnergyPart(
                component="dram" if d.name == "dram" else "cpu",
                joules=counter_delta(s, e, d.max_range_uj) / 1e6,
                method="measured",
                source=f"rapl:{d.zone}({d.name})",
            )
            for d, s, e in zip(sources.rapl, rapl_start, rapl_end)
        ]
        if not any(d.name == "dram" for d in sources.rapl):
            notes.append("no RAPL DRAM domain: memory energy not included")
    else:
        parts = estimate_parts(usage.cpu_s, usage.wall_s, usage.peak_rss_kib)
        notes.append(sources.rapl_reason or NO_RAPL)
    if use_gpu:
        parts += [
            EnergyPart(component="gpu", joules=(e - s) / 1e3, method="measured", source=f"nvml:gpu{i}")
            for i, (s, e) in enumerate(zip(gpu_start, gpu_end))
        ]
    elif include_gpu:
        notes.append(f"GPU energy not included: {sources.nvml_reason}")
    return usage, _result(parts, usage, "; ".join(notes) or None)
