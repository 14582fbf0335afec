#!/bin/sh
# Build step: dump the running kernel's BTF as a C header for the CO-RE BPF program.
# usage: gen-vmlinux.sh <out.h>
set -e
out="$1"
btf=/sys/kernel/btf/vmlinux
if [ ! -r "$btf" ]; then
  echo "tsdig native build: $btf is missing or unreadable." >&2
  echo "  The BPF capture needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (BTF provides the CO-RE type info)." >&2
  exit 1
fi
BPFTOOL="${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}"
if [ ! -x "$BPFTOOL" ]; then
  echo "tsdig native build: bpftool not found (Debian/Ubuntu: apt-get install -y bpftool, or linux-tools)." >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
"$BPFTOOL" btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
