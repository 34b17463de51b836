import pytest
from pydantic import ValidationError

from infralens_core.config import ExecutionConfig


def make(**values):
    return ExecutionConfig.model_validate(
        {"entry_command": "python train.py", **values}
    )


def test_defaults_render_bare_metal_with_cuda_visibility():
    config = make()
    assert config.environment == "bare_metal"
    assert config.visibility == "cuda_visible_devices"
    assert config.entry_argv == ["python", "train.py"]
    assert config.extra_argv == []


def test_docker_defaults_to_gpus_device_visibility():
    assert make(environment="docker").visibility == "docker_gpus_device"


def test_env_vars_accept_text_and_table():
    assert make(env_vars="A=1\nB=2").env == {"A": "1", "B": "2"}
    assert make(env_vars={"A": "1"}).env == {"A": "1"}


def test_malformed_env_line_names_its_line():
    with pytest.raises(ValidationError, match="line 2"):
        make(env_vars="A=1\noops\n")


@pytest.mark.parametrize("cpus", ["", "5-3", "a", "1,,2"])
def test_manual_mode_rejects_empty_or_malformed_cpu_list(cpus):
    with pytest.raises(ValidationError, match="manual_cpu_set"):
        make(cpu_set_mode="manual", manual_cpu_set=cpus)


def test_manual_mode_requires_a_cpu_list():
    with pytest.raises(ValidationError, match="manual_cpu_set is required"):
        make(cpu_set_mode="manual")


def test_unknown_key_is_an_error():
    with pytest.raises(ValidationError, match="extra"):
        make(entry_comand="x")


def test_docker_visibility_on_bare_metal_is_refused():
    with pytest.raises(ValidationError, match="needs environment 'docker'"):
        make(gpu_visibility_style="docker_gpus_device")


def test_extra_args_as_list_are_kept_verbatim():
    assert make(extra_args=["--name", "a b"]).extra_argv == ["--name", "a b"]
