#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the Slurm tests (make test-slurm).
#
#   tools/slurm/one-node-cluster.sh start   # prints `export SLURM_CONF=...` on its last line
#   tools/slurm/one-node-cluster.sh stop
#
# It needs only what CI has: root, Debian's packages and loopback. It installs slurm-wlm,
# slurm-client and munge when missing (no service starts on install, and there is no systemd),
# writes a private slurm.conf for this host under $COSMA_SLURM_DIR (default /tmp/cosma-slurm),
# starts munged, slurmctld and slurmd, and waits until the node is idle. `stop` ends the three
# daemons by the PIDs in their pid files (never by name) and leaves the packages installed.
set -euo pipefail

DIR="${COSMA_SLURM_DIR:-/tmp/cosma-slurm}"
CONF="$DIR/slurm.conf"
PACKAGES=(slurm-wlm slurm-client munge)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

install_missing() {
    local missing=()
    for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "Installing Debian packages: ${missing[*]}" >&2
        local started=$SECONDS
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
        echo "installed in $((SECONDS - started)) s" >&2
    fi
}

write_conf() {
    local host
    host="$(hostname -s)"
    # The node line as slurmd measures it (CPUs, boards, sockets, cores, threads, memory).
    local node
    node="$(slurmd -C | head -n 1)"
    mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"
    cat >"$CONF" <<EOF
# Written by tools/slurm/one-node-cluster.sh for this host only.
ClusterName=cosma
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
$node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
    mkdir -p /run/munge
    chown munge:munge /run/munge
    chmod 0755 /run/munge
    su -s /bin/sh munge -c /usr/sbin/munged
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return
        sleep 0.1
    done
    echo "munged did not answer (munge -n | unmunge)" >&2
    exit 1
}

# Whether a process runs (a zombie, which PID 1 may leave unreaped, does not).
alive() {
    local state
    state="$(ps -o stat= -p "$1" 2>/dev/null || true)"
    [ -n "$state" ] && [[ "$state" != Z* ]]
}

# Starts a daemon in the foreground mode (-D) in the background; it writes its own pid file.
start_daemon() {
    local name=$1
    local pidfile="$DIR/$name.pid"
    if [ -f "$pidfile" ] && alive "$(cat "$pidfile")"; then return; fi
    # slurmctld starts with a clean state (-c): no job of an earlier test run comes back.
    local clean=""
    [ "$name" = slurmctld ] && clean="-c"
    "/usr/sbin/$name" -D $clean -f "$CONF" >"$DIR/log/$name.out" 2>&1 &
    echo $! >"$pidfile"
}

wait_idle() {
    for _ in $(seq 120); do
        if SLURM_CONF="$CONF" sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then return; fi
        sleep 0.5
    done
    echo "the node did not become idle within 60 s; see $DIR/log" >&2
    SLURM_CONF="$CONF" sinfo >&2 || true
    exit 1
}

stop_daemon() {
    local pidfile="$DIR/$1.pid"
    [ -f "$pidfile" ] || return 0
    local pid
    pid="$(cat "$pidfile")"
    if alive "$pid"; then
        kill "$pid"
        # PID 1 may not reap: a killed daemon can linger as a zombie, which holds no port.
        for _ in $(seq 50); do
            alive "$pid" || break
            sleep 0.1
        done
    fi
    rm -f "$pidfile"
}

case "${1:-}" in
start)
    install_missing
    write_conf
    start_munge
    start_daemon slurmctld
    start_daemon slurmd
    wait_idle
    echo "one-node Slurm cluster up: $(SLURM_CONF="$CONF" sinfo -h -o '%N %c CPUs %T')" >&2
    echo "export SLURM_CONF=$CONF"
    ;;
stop)
    stop_daemon slurmd
    stop_daemon slurmctld
    # munged's pid file is where Debian's munged writes it.
    if [ -f /run/munge/munged.pid ]; then
        pid="$(cat /run/munge/munged.pid)"
        kill "$pid" 2>/dev/null || true
        rm -f /run/munge/munged.pid
    fi
    echo "one-node Slurm cluster stopped" >&2
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
