"""Which environment variables make a process see exactly the workload's GPUs."""

from __future__ import annotations

from infralens_core.binding import Binding

# ROCm narrows devices with ROCR_VISIBLE_DEVICES; HIP_VISIBLE_DEVICES then
# renumbers within what ROCr shows, so one variable is enough and clearer.
AMD_VARIABLE = "ROCR_VISIBLE_DEVICES"


def host_gpu_env(binding: Binding) -> dict[str, str]:
    """Variables for a process started on the host itself."""
    gpus = [ref.given for ref in binding.gpus]
    if binding.vendor == "amd":
        return {AMD_VARIABLE: ",".join(gpus)}
    env = {"CUDA_VISIBLE_DEVICES": ",".join(gpus)}
    if any(ref.is_index for ref in binding.gpus):
        # CUDA numbers GPUs fastest-first unless told to follow nvidia-smi's PCI order.
        env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID"
    return env


def container_gpu_env(binding: Binding) -> dict[str, str]:
    """Variables inside a container that was given only the workload's GPUs.

    The container renumbers what it was given from 0, so host indices would hide
    every GPU; its own 0..n-1 name them all, in PCI order.
    """
    own = ",".join(str(i) for i in range(len(binding.gpus)))
    return {"CUDA_VISIBLE_DEVICES": own, "CUDA_DEVICE_ORDER": "PCI_BUS_ID"}
