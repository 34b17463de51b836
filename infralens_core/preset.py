"""Writing presets as TOML (tomli-w does the escaping), with comments for people."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infralens_core.config import ExecutionConfig

COMMENTS = {
    "environment": "bare_metal renders numactl and taskset; docker renders docker run.",
    "entry_command": "Split into words like a POSIX shell; no pipes or redirections.",
    "workdir": "Directory the workload starts in (absolute for docker).",
    "image_name": "Container image; required when the docker style is rendered.",
    "container_prefix": "Container names are PREFIX-WORKLOAD, made Docker-safe.",
    "extra_args": "Appended after `--workload NAME`.",
    "env_vars": "KEY=VALUE lines (or a table); GPU visibility is set from the plan.",
    "cpu_set_mode": "auto: CPUs of the GPUs' NUMA node(s); manual: manual_cpu_set.",
    "manual_cpu_set": "Kernel CPU list such as 0-23,48-71 (manual mode only).",
    "gpu_visibility_style": "cuda_visible_devices or docker_gpus_device.",
    "cpu_scope": "numa_node: the GPUs' nodes; socket: every node of their socket.",
    "smt_siblings": "false keeps one hardware thread per core.",
}


def dump_preset(config: ExecutionConfig, *, comments: bool = False) -> str:
    """The preset's TOML; reading it back gives an equal ExecutionConfig."""
    import tomli_w

    values = config.model_dump(exclude_none=True)
    if not comments:
        return tomli_w.dumps({"execution": values})
    lines = ["# infralens preset: how workloads are started.", "[execution]"]
    for key, value in values.items():
        lines.append(f"# {COMMENTS[key]}")
        if isinstance(value, dict):
            # tomli_w writes a table as a [KEY] section, where every key after it
            # would land; an inline table keeps them all in [execution].
            lines.append(f"{key} = {_inline_table(value)}")
        else:
            lines.append(tomli_w.dumps({key: value}).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _inline_table(table: dict[str, str]) -> str:
    import tomli_w

    # Environment keys are shell identifiers, so bare TOML keys; tomli_w escapes
    # each value onto one line, as an inline table needs.
    items = [tomli_w.dumps({key: value}).rstrip("\n") for key, value in table.items()]
    return "{ " + ", ".join(items) + " }" if items else "{}"


def starter_config(environment: str) -> ExecutionConfig:
    from infralens_core.config import ExecutionConfig

    values = {
        "environment": environment,
        "entry_command": "python train.py",
        "extra_args": "--batch-size 64",
        "env_vars": {"OMP_NUM_THREADS": "8"},
    }
    if environment == "docker":
        values.update(
            image_name="nvcr.io/nvidia/pytorch:24.05-py3", workdir="/workspace"
        )
    return ExecutionConfig.model_validate(values)
