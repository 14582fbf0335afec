{
  # tsdig_bpf.node: the live-capture addon (native/README.md).
  # The BPF side is built by three actions: vmlinux.h from the running kernel's BTF (bpftool),
  # clang -target bpf + llvm-strip -g, bpftool gen skeleton. Linux x86_64 only.
  "targets": [
    {
      "target_name": "tsdig_bpf",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/src/addon.c"],
          "include_dirs": ["native/bpf", "<(SHARED_INTERMEDIATE_DIR)/tsdig"],
          "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wno-unused-parameter"],
          "libraries": ["-lbpf", "-lelf", "-lz", "-lpthread"],
          "actions": [
            {
              "action_name": "vmlinux_h",
              "inputs": ["native/scripts/gen-vmlinux.sh"],
              "outputs": ["<(SHARED_INTERMEDIATE_DIR)/tsdig/vmlinux.h"],
              "action": ["sh", "native/scripts/gen-vmlinux.sh", "<(SHARED_INTERMEDIATE_DIR)/tsdig/vmlinux.h"]
            },
            {
              "action_name": "bpf_skel",
              "inputs": [
                "native/scripts/build-bpf.sh",
                "<(SHARED_INTERMEDIATE_DIR)/tsdig/vmlinux.h",
                "native/bpf/tsdig.bpf.c",
                "native/bpf/tsdig_shared.h",
                "native/bpf/builder.h",
                "native/bpf/flags.h",
                "native/bpf/events.h",
                "native/bpf/cwd.h",
                "native/bpf/fill_enter.h",
                "native/bpf/fill_exit.h",
                "native/bpf/syscalls_x86_64.h"
              ],
              "outputs": ["<(SHARED_INTERMEDIATE_DIR)/tsdig/tsdig.skel.h"],
              "action": ["sh", "native/scripts/build-bpf.sh", "<(SHARED_INTERMEDIATE_DIR)/tsdig", "native/bpf/tsdig.bpf.c"]
            }
          ]
        }]
      ]
    }
  ]
}
