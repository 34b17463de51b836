"""infralens-core: host-bound launch commands for GPU workloads."""

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl"]


def __getattr__(name: str):
    # Deferred so that `infralens --version` does not pay for importing pluggy.
    if name == "hookimpl":
        from infralens_core.hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module 'infralens_core' has no attribute {name!r}")
