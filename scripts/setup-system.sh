#!/usr/bin/env bash
# Installs the Debian 12 packages tsdig builds and tests with (idempotent; needs root).
#  - clang, llvm, libbpf-dev, libelf-dev, zlib1g-dev, bpftool: the eBPF probe and its N-API addon
#  - libpcap-dev: the `cap` packet capture binding
#  - sysdig: the reference oracle the differential tests compare against (it only reads files here)
#  - tshark: reads the pcapng files tsdig writes; tmux: terminal tests; docker.io + busybox-static: test containers
#  - containerd, podman, systemd-container: the runtime tests besides Docker (ctr, podman's API, nspawn)
#  - prometheus: the real server the --metrics test starts and queries
#  - openssh-server: the UI test over a real ssh login; procps (pgrep) and util-linux (script, runuser, setpriv): test plumbing
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS="build-essential pkg-config python3 procps util-linux clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool libpcap-dev sysdig tshark tmux busybox-static docker.io containerd podman systemd-container openssh-server prometheus"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "system packages ready"
