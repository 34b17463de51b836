"""Stand-in entry command: prints, as JSON, what the started program really got.

Its affinity and allowed sets as the kernel reports them, its arguments, its
environment and working directory. PROBE_EXIT sets its exit status; PROBE_SIGNAL
makes it kill itself with that signal; PROBE_WAIT makes it wait for signals,
reporting each one on stdout, until SIGTERM.
"""

import json
import os
import signal
import sys


def allowed_lists() -> dict[str, str]:
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("Cpus_allowed_list", "Mems_allowed_list"):
                found[key] = value.strip()
    return found


def wait_for_signals() -> None:
    def report(signo, _frame):
        print(json.dumps({"signal": signo}), flush=True)
        if signo == signal.SIGTERM:
            sys.exit(0)

    for signo in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1):
        signal.signal(signo, report)
    print(json.dumps({"ready": os.getpid()}), flush=True)
    while True:
        signal.pause()


def main() -> None:
    print(
        json.dumps(
            {
                "affinity": sorted(os.sched_getaffinity(0)),
                **allowed_lists(),
                "argv": sys.argv[1:],
                "env": dict(os.environ),
                "cwd": os.getcwd(),
            }
        ),
        flush=True,
    )
    if os.environ.get("PROBE_WAIT"):
        wait_for_signals()
    if os.environ.get("PROBE_SIGNAL"):
        os.kill(os.getpid(), int(os.environ["PROBE_SIGNAL"]))
    sys.exit(int(os.environ.get("PROBE_EXIT", "0")))


if __name__ == "__main__":
    main()
