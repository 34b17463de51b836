"""Every style's shell line splits back into exactly its argv and environment."""

import infralens_docker
import infralens_numactl
import infralens_taskset
from hypothesis import given, settings
from hypothesis import strategies as st

from infralens_core.binding import bind
from infralens_core.manager import PluginHost
from infralens_core.render import RenderContext
from plugins.support import DGX_A100, config, round_trip, topology, workload

# Any text a preset may hold but NUL, which is refused on input.
TEXT = st.text(st.characters(blacklist_characters="\0"), max_size=30)
# Visibility variables are refused in a preset: the plan's GPUs set them.
KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).filter(
    lambda key: not key.startswith(("CUDA_", "NVIDIA_", "ROCR_", "HIP_"))
)
HOST = topology(DGX_A100)


def builtin_styles() -> PluginHost:
    host = PluginHost()
    for module in (infralens_numactl, infralens_taskset, infralens_docker):
        host.add(module.STYLES[0], module)
    return host


PLUGINS = builtin_styles()


@settings(max_examples=200, deadline=None)
@given(
    style=st.sampled_from(sorted(PLUGINS.styles)),
    env=st.dictionaries(KEY, TEXT, max_size=3),
    args=st.lists(TEXT, max_size=3),
    workdir=TEXT.map(lambda text: "/" + text),
    name=TEXT.filter(lambda text: text.strip() and "\n" not in text),
)
def test_any_value_survives_the_shell(style, env, args, workdir, name):
    cfg = config(env_vars=env, extra_args=args, workdir=workdir)
    job = workload(name, 0, 2)
    binding = bind(HOST, cfg, job)
    command = PLUGINS.render(style, job, cfg, binding, RenderContext())
    argv = round_trip(command)
    assert argv[len(argv) - len(args) - 2 :] == ["--workload", name, *args]
