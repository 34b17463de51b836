"""The script format, run by bash: signals reach each workload once."""

import json
import os
import signal
import subprocess
import sys
import time

STUB = """
import json, os, signal, sys, time
name = sys.argv[-1]
def say(event):
    # One file per workload: two processes never share a write position.
    with open(os.path.join(os.environ["EVENTS"], name), "a") as out:
        out.write(json.dumps({"name": name, **event}) + "\\n")
def report(signo, frame):
    say({"signal": signo})
    sys.exit(3)
signal.signal(signal.SIGTERM, report)
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    say({"ignored": "SIGINT"})
signal.signal(signal.SIGINT, report)
say({"ready": True})
time.sleep(60)
"""


def test_script_passes_a_signal_to_every_workload_once(invoke, preset, dump, tmp_path):
    """bash starts background jobs with SIGINT ignored: Ctrl-C reached no
    workload, and SIGTERM to the script left them running."""
    stub = tmp_path / "stub.py"
    stub.write_text(STUB)
    body = f'[execution]\nentry_command = "{sys.executable} {stub}"\n'
    script = tmp_path / "start.sh"
    result = invoke(
        "render",
        "--preset",
        preset(body),
        "--workload",
        "a=0",
        "--workload",
        "b=4",
        "--style",
        "taskset",
        "--format",
        "script",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
        "-o",
        str(script),
    )
    assert result.exit_code == 0
    # taskset would need CPUs 48-95 here; the signal path is what is tested.
    text = script.read_text().replace("taskset -c 0-47,96-143 ", "")
    script.write_text(text.replace("taskset -c 48-95,144-191 ", ""))
    events_dir = tmp_path / "events"
    events_dir.mkdir()

    def restore():
        for signo in (signal.SIGINT, signal.SIGQUIT):
            signal.signal(signo, signal.SIG_DFL)

    proc = subprocess.Popen(
        ["bash", str(script)],
        start_new_session=True,
        preexec_fn=restore,
        env={**os.environ, "EVENTS": str(events_dir)},
    )
    try:
        deadline = time.monotonic() + 30
        while len(list(events_dir.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=30) == 1
    finally:
        proc.kill()
    events = [
        json.loads(line)
        for path in sorted(events_dir.iterdir())
        for line in path.read_text().splitlines()
    ]
    got = sorted((e["name"], e["signal"]) for e in events if "signal" in e)
    assert got == [("a", signal.SIGINT), ("b", signal.SIGINT)]
    assert not any("ignored" in e for e in events)
