#!/usr/bin/env bash
# Start or stop the container engine the tests run docker lines through: podman
# serving the Docker API on a unix socket, with every state file under one folder.
#
#   .ci/engines.sh start DIR   prints `export DOCKER_HOST=...` and friends on stdout
#   .ci/engines.sh stop DIR    stops the service started for DIR
#
# The recipe and the reasons for each setting are in ../shared/ENGINES.md: no
# CAP_SYS_RESOURCE (hence default_ulimits), hybrid cgroups without systemd (hence
# cgroupfs and runc), no registry (hence an image imported from busybox-static).
set -euo pipefail

IMAGE=localhost/infralens-test

write_config() {
    local dir=$1
    mkdir -p "$dir/storage" "$dir/run" "$dir/tmp" "$dir/volumes" "$dir/networks"
    cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
static_dir = "$dir/storage/libpod"
volume_path = "$dir/volumes"

[network]
network_config_dir = "$dir/networks"
CONF
    cat >"$dir/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
}

# The probe prints what a started program sees: its CPUs and memory nodes, its
# working directory, its arguments and its environment, one "key=value" a line.
write_probe() {
    cat >"$1" <<'PROBE'
#!/bin/busybox sh
status=/proc/self/status
echo "cpus=$(/bin/busybox awk '/^Cpus_allowed_list/ {print $2}' $status)"
echo "mems=$(/bin/busybox awk '/^Mems_allowed_list/ {print $2}' $status)"
echo "cwd=$(/bin/busybox pwd)"
for arg in "$@"; do echo "arg=$arg"; done
/bin/busybox env | /bin/busybox sed 's/^/env=/'
exit "${PROBE_EXIT:-0}"
PROBE
    chmod 755 "$1"
}

build_image() {
    local dir=$1 rootfs=$1/rootfs
    mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" \
        "$rootfs/tmp" "$rootfs/etc"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in sh cat env grep; do ln -sf busybox "$rootfs/bin/$applet"; done
    write_probe "$rootfs/probe"
    tar -C "$rootfs" -cf "$dir/image.tar" .
    podman import "$dir/image.tar" "$IMAGE" >/dev/null
}

wait_for_socket() {
    local sock=$1 pid=$2
    for _ in $(seq 1 100); do
        if [ -S "$sock" ] && docker version >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "engines.sh: podman service exited; see $3" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "engines.sh: podman service did not answer on $sock; see $3" >&2
    return 1
}

start() {
    local dir
    dir=$(realpath -m "$1")
    mkdir -p "$dir"
    write_config "$dir"
    export CONTAINERS_CONF=$dir/containers.conf
    export CONTAINERS_STORAGE_CONF=$dir/storage.conf
    export DOCKER_HOST=unix://$dir/podman.sock
    build_image "$dir"
    podman system service --time=0 "$DOCKER_HOST" >"$dir/service.log" 2>&1 &
    echo $! >"$dir/service.pid"
    wait_for_socket "$dir/podman.sock" "$!" "$dir/service.log"
    echo "export CONTAINERS_CONF=$CONTAINERS_CONF"
    echo "export CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF"
    echo "export DOCKER_HOST=$DOCKER_HOST"
    echo "export INFRALENS_TEST_IMAGE=$IMAGE"
}

stop() {
    local dir pid
    dir=$(realpath -m "$1")
    [ -f "$dir/service.pid" ] || return 0
    pid=$(cat "$dir/service.pid")
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$dir/service.pid"
    # Containers left by a failed test hold vfs layers; drop the whole store.
    CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf \
        podman system reset --force >/dev/null 2>&1 || true
}

case "${1:-}" in
    start) start "${2:?usage: engines.sh start DIR}" ;;
    stop) stop "${2:?usage: engines.sh stop DIR}" ;;
    *) echo "usage: engines.sh start|stop DIR" >&2; exit 2 ;;
esac
