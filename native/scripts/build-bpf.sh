#!/bin/sh
# Build step: compile the BPF program (clang -target bpf), strip DWARF (BTF is kept), and
# generate the libbpf skeleton header the addon embeds.
# usage: build-bpf.sh <dir holding vmlinux.h, also the output dir> <bpf source>
set -e
incdir="$1"; outdir="$1"; src="$2"
CLANG="${CLANG:-$(command -v clang || command -v clang-14 || true)}"
STRIP="${LLVM_STRIP:-$(command -v llvm-strip || command -v llvm-strip-14 || true)}"
BPFTOOL="${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}"
[ -n "$CLANG" ] || { echo "tsdig native build: clang not found (apt-get install -y clang)" >&2; exit 1; }
[ -n "$STRIP" ] || { echo "tsdig native build: llvm-strip not found (apt-get install -y llvm)" >&2; exit 1; }
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "tsdig native build: libbpf headers not found (apt-get install -y libbpf-dev)" >&2; exit 1; }
mkdir -p "$outdir"
srcdir="$(dirname "$src")"
"$CLANG" -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wno-pass-failed \
  -I"$incdir" -I"$srcdir" -c "$src" -o "$outdir/tsdig.bpf.o"
"$STRIP" -g "$outdir/tsdig.bpf.o"
"$BPFTOOL" gen skeleton "$outdir/tsdig.bpf.o" name tsdig_bpf > "$outdir/tsdig.skel.h.tmp"
mv "$outdir/tsdig.skel.h.tmp" "$outdir/tsdig.skel.h"
