"""ExecutionConfig: how a preset says workloads are started."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from infralens_core.cpulist import CpuListError, parse_cpulist
from infralens_core.envlines import EnvLineError, check_env_item, parse_env_text
from infralens_core.words import WordsError, split_words

Environment = Literal["bare_metal", "docker"]
VisibilityStyle = Literal["cuda_visible_devices", "docker_gpus_device"]


class ExecutionConfig(BaseModel):
    """The ``[execution]`` table of a preset.

    Field validators turn each value into the form renderers use: argv lists for
    commands, a dict for the environment, a CPU set for manual mode.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    environment: Environment = "bare_metal"
    entry_command: str = Field(min_length=1)
    workdir: str | None = None
    image_name: str | None = None
    container_prefix: str = "infralens-job"
    extra_args: str | list[str] = ""
    env_vars: dict[str, str] | str = Field(default_factory=dict)
    cpu_set_mode: Literal["auto", "manual"] = "auto"
    manual_cpu_set: str | None = None
    gpu_visibility_style: VisibilityStyle | None = None
    cpu_scope: Literal["numa_node", "socket"] = "numa_node"
    # Strict: pydantic would read "no" as False, a typo away from "yes".
    smt_siblings: StrictBool = True

    @field_validator("entry_command")
    @classmethod
    def _entry_splits(cls, value: str) -> str:
        argv = _split(value)
        if not argv:
            raise ValueError("is empty after splitting into words")
        if argv[0].startswith("-"):
            # numactl and taskset would take it for one of their own options.
            raise ValueError(
                f"starts with the option {argv[0]!r}; name the program "
                "first, e.g. 'python -m module'"
            )
        return value

    @field_validator("extra_args")
    @classmethod
    def _extra_splits(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, str):
            _split(value)
        elif any("\0" in arg for arg in value):
            raise ValueError("an argument holds a NUL byte")
        return value

    @field_validator("env_vars")
    @classmethod
    def _env_parses(cls, value: dict[str, str] | str) -> dict[str, str]:
        try:
            if isinstance(value, str):
                return parse_env_text(value)
            for key, item in value.items():
                check_env_item(key, item)
        except EnvLineError as exc:
            where = f"line {exc.line}: " if exc.line else ""
            raise ValueError(f"{where}{exc}") from None
        return value

    @field_validator("workdir", "image_name")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and ("\0" in value or not value.strip()):
            raise ValueError("must be a non-empty value without NUL bytes")
        return value

    @field_validator("manual_cpu_set")
    @classmethod
    def _cpu_set_parses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            cpus = parse_cpulist(value)
        except CpuListError as exc:
            raise ValueError(str(exc)) from None
        if not cpus:
            raise ValueError("is empty; give a CPU list such as 0-23,48-71")
        return value

    @model_validator(mode="after")
    def _modes_agree(self) -> ExecutionConfig:
        if self.cpu_set_mode == "manual" and self.manual_cpu_set is None:
            raise ValueError("manual_cpu_set is required when cpu_set_mode = 'manual'")
        if (
            self.environment == "bare_metal"
            and self.gpu_visibility_style == "docker_gpus_device"
        ):
            raise ValueError(
                "gpu_visibility_style 'docker_gpus_device' needs environment 'docker'"
            )
        return self

    @property
    def entry_argv(self) -> list[str]:
        return list(_words(self.entry_command))

    @property
    def extra_argv(self) -> list[str]:
        if isinstance(self.extra_args, list):
            return list(self.extra_args)
        return list(_words(self.extra_args))

    @property
    def env(self) -> dict[str, str]:
        assert isinstance(self.env_vars, dict)  # the validator normalised it
        return self.env_vars

    @property
    def manual_cpus(self) -> frozenset[int] | None:
        if self.manual_cpu_set is None:
            return None
        return parse_cpulist(self.manual_cpu_set)

    @property
    def visibility(self) -> VisibilityStyle:
        if self.gpu_visibility_style:
            return self.gpu_visibility_style
        if self.environment == "docker":
            return "docker_gpus_device"
        return "cuda_visible_devices"


def _split(value: str) -> list[str]:
    try:
        return split_words(value)
    except WordsError as exc:
        raise ValueError(str(exc)) from None


@lru_cache(maxsize=64)
def _words(text: str) -> tuple[str, ...]:
    # Every workload asks for the same argv in every style; splitting is the
    # dearest step of rendering, and the same text always splits the same way.
    return tuple(split_words(text))
