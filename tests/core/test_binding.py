"""Binding decisions of shared/DOMAIN.md, on topologies read from real dumps."""

from pathlib import Path

import pytest

from infralens_core.binding import bind
from infralens_core.config import ExecutionConfig
from infralens_core.cpulist import parse_cpulist
from infralens_core.errors import InputError
from infralens_core.plan import Workload
from infralens_core.topology.load import load_topology, read_source
from infralens_core.topology.model import Gpu

DATA = Path(__file__).resolve().parents[1] / "data" / "topologies"


def topo(*names):
    return load_topology([str(DATA / f"{n}.txt") for n in names])


def config(**values):
    return ExecutionConfig.model_validate({"entry_command": "run", **values})


def job(*gpus):
    return Workload("job", tuple(str(g) for g in gpus))


def test_memoryless_node_gets_memory_from_the_nearest_node_with_memory():
    host = read_source(str(DATA / "numactl-threadripper-nps4-memoryless-cpu-nodes.txt"))
    host.gpus[0] = Gpu(0, numa_node=0)
    binding = bind(host, config(), job(0))
    assert binding.cpus == parse_cpulist("0-5,24-29")
    assert binding.mem_nodes == (1,)
    assert not binding.by_node
    assert any("node 0 has no memory" in w for w in binding.warnings)


def test_nearest_memory_follows_the_distance_matrix_not_the_id():
    host = read_source(str(DATA / "numactl-epyc-2s-nps4-8node.txt"))
    host.nodes[4].memory_mb = 0
    host.nodes[4].distances = {0: 32, 1: 32, 2: 32, 3: 32, 4: 10, 5: 11, 6: 12, 7: 12}
    host.gpus[0] = Gpu(0, numa_node=4)
    assert bind(host, config(), job(0)).mem_nodes == (5,)


def test_node_binding_when_node_cpus_are_confirmed():
    host = topo("nv-h100-8gpu-nv18-2numa-nonic")
    host.nodes[0].cpus = parse_cpulist("0-47,96-143")
    binding = bind(host, config(), job(0, 1))
    assert binding.by_node and binding.cpu_nodes == (0,) and binding.mem_nodes == (0,)


def test_cgroup_cut_affinity_is_kept_verbatim_not_widened():
    binding = bind(topo("nv-3xa6000-nv4-node-2nic-numa1-cgroup"), config(), job(0))
    assert binding.cpus == parse_cpulist("64-71")
    assert binding.mem_nodes == (1,)


def test_socket_scope_lists_every_node_of_the_socket():
    host = read_source(str(DATA / "numactl-epyc-2s-nps4-8node.txt"))
    for node in host.nodes.values():
        node.socket = 0 if node.id < 4 else 1
    host.gpus[0] = Gpu(0, numa_node=5)
    binding = bind(host, config(cpu_scope="socket"), job(0))
    assert binding.cpu_nodes == (4, 5, 6, 7)
    assert binding.cpus == parse_cpulist("64-127,192-255")


def test_smt_siblings_left_out_on_request():
    host = read_source(str(DATA / "numactl-aws-c5n18xl-2node-ht-split.txt"))
    host.smt_siblings = {c: frozenset({c % 36, c % 36 + 36}) for c in range(72)}
    host.gpus[0] = Gpu(0, numa_node=0)
    binding = bind(host, config(smt_siblings=False), job(0))
    assert binding.cpus == parse_cpulist("0-17")


def test_offline_and_disallowed_cpus_are_cut_with_a_warning():
    host = read_source(str(DATA / "numactl-2s-epyc9375f-smt-off.txt"))
    host.gpus[0] = Gpu(0, numa_node=1)
    host.online_cpus = parse_cpulist("0-47")
    host.allowed_cpus = parse_cpulist("0-40")
    binding = bind(host, config(), job(0))
    assert binding.cpus == parse_cpulist("32-40")
    assert len([w for w in binding.warnings if "left out" in w]) == 2


def test_no_usable_cpu_left_is_an_error():
    host = read_source(str(DATA / "numactl-2s-epyc9375f-smt-off.txt"))
    host.gpus[0] = Gpu(0, numa_node=1)
    host.online_cpus = parse_cpulist("0-31")
    with pytest.raises(InputError, match="is on this host, online and allowed"):
        bind(host, config(), job(0))


def test_mig_slice_resolves_to_its_parent_gpu():
    host = topo("nvidia-smi-L-mig-a100-80gb-7x1g")
    host.gpus[0].numa_node = 0
    mig = host.gpus[0].mig[3].uuid
    binding = bind(host, config(), Workload("m", (mig,)))
    assert binding.gpus[0].gpu.index == 0 and binding.cpu_nodes == (0,)


def test_mig_uuid_without_parent_is_refused():
    host = topo("nvidia-smi-L-mig-a100-80gb-7x1g")
    with pytest.raises(InputError, match="no parent GPU"):
        bind(
            host, config(), Workload("m", ("MIG-ffffffff-0000-5000-8000-000000000000",))
        )


def test_socket_scope_without_socket_keeps_the_cgroup_cut_affinity():
    """Socket scope on an nvidia-smi-only host widened 64-71 to node 1 or unbound it."""
    binding = bind(
        topo("nv-3xa6000-nv4-node-2nic-numa1-cgroup"),
        config(cpu_scope="socket"),
        job(0),
    )
    assert binding.cpus == parse_cpulist("64-71")
    assert binding.mem_nodes == (1,) and not binding.by_node
    assert any("socket" in w for w in binding.warnings)


def test_mig_profile_must_match_the_slice_it_names():
    """mig_profile was read and never checked: a 7g slice asked, a 1g one used."""
    host = topo("nvidia-smi-L-mig-a100-80gb-7x1g")
    mig = host.gpus[0].mig[0].uuid
    with pytest.raises(InputError, match="is a 1g.10gb slice, not 7g.80gb"):
        bind(host, config(), Workload("m", (mig,), mig_profile="7g.80gb"))
    assert bind(host, config(), Workload("m", (mig,), mig_profile="1g.10gb"))


def test_mig_profile_on_a_whole_gpu_warns_it_is_not_applied():
    binding = bind(
        topo("nvidia-smi-L-mig-a100-80gb-7x1g"),
        config(),
        Workload("m", ("0",), mig_profile="1g.10gb"),
    )
    assert any("not applied by launch styles" in w for w in binding.warnings)


def test_two_mig_slices_in_one_workload_warn_cuda_sees_one():
    host = topo("nvidia-smi-L-mig-a100-80gb-7x1g")
    slices = tuple(m.uuid for m in host.gpus[0].mig[:2])
    binding = bind(host, config(), Workload("m", slices))
    assert any("one MIG slice per process" in w for w in binding.warnings)


def test_gpu_affinity_outside_the_hosts_cpus_is_cut_with_a_warning():
    """An lscpu dump of an 8-CPU host merged with a GPU affinity of 0-11 bound
    CPUs 8-11, which the host does not have."""
    host = topo("nv-2x1080ti-phb-numa-na-oldfmt", "lscpu-p-2socket-1node")
    binding = bind(host, config(), job(0))
    assert binding.cpus == parse_cpulist("0-7")
    assert any("8-11: not on this host" in w for w in binding.warnings)
