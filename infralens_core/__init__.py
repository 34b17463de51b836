"""infralens-core: host-bound launch commands for GPU workloads."""

__version__ = "0.1.0"
