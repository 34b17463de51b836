"""Loading style plugins and calling them, one plugin's fault never another's.

Built by ``build_host()`` each time the CLI needs it, so tests make a fresh one.
A plugin that fails to import, declares no styles, claims a style another plugin
already renders, or raises in a hook is named with the reason; the other styles
keep working.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pluggy

from infralens_core import hookspecs
from infralens_core.command import Command, command_fault
from infralens_core.errors import InputError, PluginError

ENTRY_POINT_GROUP = "infralens"
DISABLE_ENV = "INFRALENS_DISABLE_PLUGINS"


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem a plugin sees in a preset, naming the field it is about."""

    field: str
    message: str


@dataclass
class LoadedPlugin:
    name: str
    plugin: Any
    styles: tuple[str, ...]
    version: str | None = None
    hooks: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BrokenPlugin:
    name: str
    reason: str
    version: str | None = None


class PluginHost:
    """The plugins in use, the styles they render, and those that failed."""

    def __init__(self, disabled: frozenset[str] = frozenset()) -> None:
        self.pm = pluggy.PluginManager("infralens")
        self.pm.add_hookspecs(hookspecs)
        self.disabled = disabled
        # Names switched off that no installed plugin has: likely a typo.
        self.unknown_disabled: frozenset[str] = frozenset()
        self.plugins: dict[str, LoadedPlugin] = {}
        self.styles: dict[str, LoadedPlugin] = {}
        self.broken: list[BrokenPlugin] = []

    def add(self, name: str, plugin: Any, version: str | None = None) -> None:
        """Register a plugin object or module, or record why it cannot be used."""
        if name in self.disabled:
            return
        try:
            styles = self._free_styles(plugin)
            self.pm.register(plugin, name=name)
        except Exception as exc:  # a plugin's fault must not stop the tool
            self.add_broken(name, exc, version)
            return
        hooks = _hooks_of(self.pm, plugin)
        try:
            _check_hooks(self.pm, hooks)
        except ValueError as exc:
            self.pm.unregister(plugin)
            self.add_broken(name, exc, version)
            return
        loaded = LoadedPlugin(name, plugin, styles, version, hooks)
        self.plugins[name] = loaded
        for style in styles:
            self.styles[style] = loaded

    def _free_styles(self, plugin: Any) -> tuple[str, ...]:
        styles = _declared_styles(plugin)
        taken = [s for s in styles if s in self.styles]
        if taken:
            owner = self.styles[taken[0]].name
            raise ValueError(
                f"claims style {taken[0]!r}, which plugin {owner!r} already renders"
            )
        return styles

    def add_broken(self, name: str, exc: BaseException, version: str | None) -> None:
        self.broken.append(BrokenPlugin(name, _reason(exc), version))

    def plugin_for(self, style: str) -> LoadedPlugin:
        loaded = self.styles.get(style)
        if loaded is not None:
            return loaded
        broken = [b for b in self.broken if b.name == style]
        if broken:
            raise PluginError(
                f"style {style!r} is unavailable: plugin {style!r} "
                f"failed to load: {broken[0].reason}"
            )
        if style in self.disabled:
            raise InputError(
                "--style", style, f"plugin {style!r} is switched off by {DISABLE_ENV}"
            )
        have = ", ".join(sorted(self.styles)) or "none"
        failed = ", ".join(b.name for b in self.broken)
        failed = f"; plugins that failed to load: {failed}" if failed else ""
        raise InputError(
            "--style", style, f"unknown style; installed styles: {have}{failed}"
        )

    def validate(self, style: str, config, topology) -> list[Problem]:
        loaded = self.plugin_for(style)
        result = _call(
            loaded, "validate_config", style=style, config=config, topology=topology
        )
        if result is None:
            return []
        if not isinstance(result, list) or not all(
            isinstance(p, Problem) for p in result
        ):
            raise PluginError(
                f"plugin {loaded.name!r} returned "
                f"{type(result).__name__} from validate_config; "
                "expected a list of Problem"
            )
        return result

    def render(self, style: str, workload, config, binding, context) -> Command:
        loaded = self.plugin_for(style)
        result = _call(
            loaded,
            "render_command",
            style=style,
            workload=workload,
            config=config,
            binding=binding,
            context=context,
        )
        if not isinstance(result, Command):
            raise PluginError(
                f"plugin {loaded.name!r} returned "
                f"{type(result).__name__} from render_command for "
                f"style {style!r}; expected a Command"
            )
        fault = command_fault(result)
        if fault is not None:
            raise PluginError(
                f"plugin {loaded.name!r} rendered a bad Command for style "
                f"{style!r}: {fault}"
            )
        return result


def _declared_styles(plugin: Any) -> tuple[str, ...]:
    styles = getattr(plugin, "STYLES", None)
    if isinstance(styles, str):
        styles = (styles,)
    if not styles or not all(isinstance(s, str) and s for s in styles):
        raise ValueError("declares no STYLES (a tuple of style names)")
    return tuple(styles)


def _hooks_of(pm: pluggy.PluginManager, plugin: Any) -> dict[str, Any]:
    hooks = {}
    for caller in pm.get_hookcallers(plugin) or []:
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin:
                hooks[caller.name] = impl
    return hooks


def _check_hooks(pm: pluggy.PluginManager, hooks: dict[str, Any]) -> None:
    # pluggy accepts a hookimpl that no hookspec names (a spec might come later),
    # so a misspelt hook would be ignored in silence; every spec is known here.
    specified = {name for name, caller in vars(pm.hook).items() if caller.spec}
    unknown = sorted(set(hooks) - specified)
    if unknown:
        raise ValueError(
            f"implements unknown hook {unknown[0]!r}; infralens hooks "
            f"are {', '.join(sorted(specified))}"
        )
    if "render_command" not in hooks:
        raise ValueError("implements no render_command hook")


def _call(loaded: LoadedPlugin, hook: str, **kwargs: Any) -> Any:
    # Calling the one plugin's implementation keeps a fault in another plugin's
    # hook from affecting this style; pluggy passes only the arguments it takes.
    impl = loaded.hooks.get(hook)
    if impl is None:
        if hook == "render_command":
            raise PluginError(f"plugin {loaded.name!r} has no render_command hook")
        return None
    try:
        return impl.function(*[kwargs[name] for name in impl.argnames])
    except (InputError, PluginError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # a plugin's sys.exit() must not end the tool
        raise PluginError(
            f"plugin {loaded.name!r} failed in {hook} for style "
            f"{kwargs['style']!r}: {_reason(exc)}"
        ) from exc


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no message"
    return f"{type(exc).__name__}: {text}"


def disabled_plugins() -> frozenset[str]:
    raw = os.environ.get(DISABLE_ENV, "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def build_host(*, entry_points: bool = True) -> PluginHost:
    """A plugin host with every installed plugin, less those switched off."""
    host = PluginHost(disabled_plugins())
    if entry_points:
        load_entry_points(host)
    return host


def load_entry_points(host: PluginHost) -> None:
    from importlib.metadata import entry_points

    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=_load_order)
    host.unknown_disabled = host.disabled - {ep.name for ep in found}
    for ep in found:
        if ep.name in host.disabled:
            continue
        version = ep.dist.version if ep.dist else None
        try:
            plugin = ep.load()
        except BaseException as exc:  # SystemExit in an import is still its fault
            if isinstance(exc, KeyboardInterrupt):
                raise
            host.add_broken(ep.name, exc, version)
            continue
        host.add(ep.name, plugin, version)


def _load_order(ep) -> tuple[bool, str]:
    # The built-in styles claim their names first, so a third-party plugin that
    # claims "numactl" too is the one reported, whatever the install order.
    builtin = ep.dist is not None and ep.dist.name == "infralens-core"
    return (not builtin, ep.name)
