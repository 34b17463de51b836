"""Rendering a plan: bind each workload, then ask each style's plugin for commands."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from infralens_core.binding import Binding, bind
from infralens_core.command import Command, shell_line
from infralens_core.cpulist import format_cpulist
from infralens_core.errors import InputError, InputErrors, PluginError
from infralens_core.manager import PluginHost, Problem

DEFAULT_STYLES = {"bare_metal": ("numactl", "taskset"), "docker": ("docker",)}
# Set by the plan's GPUs; a preset value would silently widen or undo them.
VISIBILITY_VARS = (
    "CUDA_VISIBLE_DEVICES",
    "CUDA_DEVICE_ORDER",
    "NVIDIA_VISIBLE_DEVICES",
    "ROCR_VISIBLE_DEVICES",
    "HIP_VISIBLE_DEVICES",
)
# Variables bash keeps for itself (read-only, reset or dropped), so the
# `KEY=value cmd` lines of the bare-metal styles can never pass them on.
BASH_OWNED = frozenset(
    "UID EUID PPID SHELLOPTS BASHOPTS BASH_VERSINFO BASH_ARGV BASH_ARGC GROUPS "
    "FUNCNAME BASH_LINENO BASH_SOURCE SHLVL _".split()
)
_NAME_INVALID = re.compile(r"[^a-zA-Z0-9_.-]+")


class RenderContext:
    """Plan-wide facts a style may need, such as names unique across workloads."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str], str] = {}
        self._taken: set[str] = set()

    def unique_name(self, prefix: str, workload_name: str) -> str:
        """``prefix-name`` cut to Docker's name grammar, unique per plan."""
        key = (prefix, workload_name)
        if key in self._names:
            return self._names[key]
        base = _NAME_INVALID.sub("-", f"{prefix}-{workload_name}").lstrip("_.-")
        base = base or "infralens-job"
        name, n = base, 2
        while name in self._taken:
            name, n = f"{base}-{n}", n + 1
        self._taken.add(name)
        self._names[key] = name
        return name


@dataclass(slots=True)
class Rendered:
    workload: object
    style: str
    binding: Binding
    command: Command

    @property
    def shell(self) -> str:
        return shell_line(self.command)


@dataclass
class RenderResult:
    commands: list[Rendered] = field(default_factory=list)
    # (workload name or None for the preset, style or None, message)
    warnings: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    errors: list[PluginError] = field(default_factory=list)


def choose_styles(config, asked: tuple[str, ...]) -> tuple[str, ...]:
    return asked or DEFAULT_STYLES[config.environment]


def check_config(
    host: PluginHost,
    config,
    topology,
    styles,
    source: str,
    failed: list[PluginError] | None = None,
) -> tuple[str, ...]:
    """Collect every problem from the core and each style's plugin, then raise.

    Returns the styles whose plugins can render. With a ``failed`` list, a style
    whose plugin failed to load or crashed in ``validate_config`` is left out and
    its error added there, so that the other styles still render.
    """
    problems = core_problems(config, topology)
    usable = []
    for style in styles:
        try:
            problems.extend(host.validate(style, config, topology))
        except PluginError as exc:
            if failed is None:
                raise
            failed.append(exc)
            continue
        usable.append(style)
    if problems:
        raise InputErrors(
            [InputError(source, f"execution.{p.field}", p.message) for p in problems]
        )
    return tuple(usable)


def core_problems(config, topology) -> list[Problem]:
    problems = [
        Problem(f"env_vars.{key}", "is set from the plan's GPUs; remove it here")
        for key in VISIBILITY_VARS
        if key in config.env
    ]
    if config.environment == "bare_metal":
        problems += [
            Problem(
                f"env_vars.{key}",
                "is kept by bash for itself; a shell line cannot pass it on",
            )
            for key in sorted(BASH_OWNED & config.env.keys())
        ]
    host_cpus = topology.all_cpus() if topology is not None else None
    manual = config.manual_cpus if config.cpu_set_mode == "manual" else None
    if manual is not None and host_cpus is not None and not manual <= host_cpus:
        problems.append(
            Problem(
                "manual_cpu_set",
                f"CPUs {format_cpulist(manual - host_cpus)} are not on this host "
                f"(it has {format_cpulist(host_cpus)})",
            )
        )
    return problems


def config_warnings(config) -> list[str]:
    """What in a valid preset may still surprise: an ignored field, or text a
    shell would have expanded."""
    from infralens_core.words import unquoted_expansions

    notes = []
    if config.manual_cpu_set is not None and config.cpu_set_mode != "manual":
        notes.append(
            "execution.manual_cpu_set is ignored: cpu_set_mode is 'auto'; set "
            "cpu_set_mode = 'manual' to use it"
        )
    fields = {"entry_command": config.entry_command}
    if isinstance(config.extra_args, str):
        fields["extra_args"] = config.extra_args
    return notes + [
        f"execution.{name}: {found[0]!r} is passed literally, not expanded by a "
        "shell; single-quote it to say so, or write the value itself"
        for name, text in fields.items()
        if (found := unquoted_expansions(text))
    ]


def render_plan(host: PluginHost, config, workloads, topology, styles) -> RenderResult:
    """Render every workload in every style; a failing plugin fails only its style."""
    result = RenderResult()
    result.warnings.extend((None, None, w) for w in config_warnings(config))
    with _collector_paused():
        _render_all(result, host, config, workloads, topology, styles)
    return result


def _render_all(
    result: RenderResult, host: PluginHost, config, workloads, topology, styles
) -> None:
    context = RenderContext()
    bindings: dict[tuple, Binding] = {}
    failed: set[str] = set()
    for workload in workloads:
        key = (workload.gpus, workload.mig_profile)
        binding = bindings.get(key)
        if binding is None:
            binding = bind(topology, config, workload, workload.source)
            bindings[key] = binding
        if binding.warnings:
            result.warnings.extend((workload.name, None, w) for w in binding.warnings)
        for style in styles:
            if style in failed:
                continue
            try:
                command = host.render(style, workload, config, binding, context)
            except PluginError as exc:
                failed.add(style)
                result.errors.append(exc)
                continue
            result.commands.append(Rendered(workload, style, binding, command))
            if command.warnings:
                result.warnings.extend(
                    (workload.name, style, w) for w in command.warnings
                )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cycle collector while a plan renders.

    Rendering keeps every object it makes (the result holds them all), so the
    collector can free nothing meanwhile, yet it walks the growing heap again and
    again: a third of the time of a 10,000-workload plan, and more the larger the
    plan. Cycles a plugin leaves behind are collected once it is back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
