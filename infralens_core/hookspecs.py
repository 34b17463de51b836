"""The hooks a style plugin implements.

A plugin is a module or object registered under the entry-point group
``infralens``. It names the styles it renders in a ``STYLES`` attribute (a tuple
of names) and implements ``render_command`` and, optionally, ``validate_config``,
each decorated with ``infralens_core.hookimpl``. The core calls a plugin's hooks
only for its own styles.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("infralens")
hookimpl = pluggy.HookimplMarker("infralens")


@hookspec
def validate_config(style, config, topology):
    """Report the problems this plugin sees in a preset for one of its styles.

    :param style: the style name being checked, one of the plugin's ``STYLES``.
    :param config: the ``ExecutionConfig`` read from the preset.
    :param topology: the host ``Topology`` the plan will be rendered for.
    :return: a list of ``Problem(field, message)``; an empty list (or None) when
        the preset suits the style. Every plugin's problems are shown together.
    """


@hookspec
def render_command(style, workload, config, binding, context):
    """Render one workload in one style.

    :param style: the style name asked for, one of the plugin's ``STYLES``.
    :param workload: the ``Workload`` (name, GPUs as given, kind, MIG profile).
    :param config: the validated ``ExecutionConfig``.
    :param binding: the ``Binding`` chosen from the topology: CPU set, NUMA nodes
        for CPUs and for memory, resolved GPU references, and warnings.
    :param context: the ``RenderContext`` of the whole plan, e.g. ``unique_name``
        for names that must not collide between workloads.
    :return: a ``Command`` (argv, env, cwd, preamble, warnings). Build the argv as a
        list; the core derives the shell text by quoting it.
    """
