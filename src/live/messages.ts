// The one-paragraph explanation printed when live capture cannot start here.
import { checkPrerequisites, NativeUnavailableError } from './native';

/** One paragraph: what is missing, how to get it, and the replay alternative. */
export function unavailableMessage(e: NativeUnavailableError): string {
  let what: string;
  switch (e.reason) {
    case 'permission':
      what = 'it loads an eBPF program, which needs root or the CAP_BPF and CAP_PERFMON capabilities: run it as root (sudo tsdig …) or grant them to node (setcap cap_bpf,cap_perfmon+ep "$(command -v node)").';
      break;
    case 'not-built':
      what = `the native eBPF addon is not available (${e.message}). Build it with \`npm run build:native\` (or \`npm install\`) in the tsdig directory; it needs clang, llvm, libbpf-dev, libelf-dev, zlib1g-dev, bpftool, gcc and make, and then runs as root (or with CAP_BPF + CAP_PERFMON).`;
      break;
    case 'btf':
      what = 'the running kernel does not expose BTF type information (/sys/kernel/btf/vmlinux), which the CO-RE eBPF program needs: use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020 are), and run tsdig as root (or with CAP_BPF + CAP_PERFMON).';
      break;
    case 'kernel':
      what = `the kernel refused the eBPF program (${e.message.trim()}). It needs Linux x86_64 5.11 or later with BTF and tp_btf tracepoints, and root (or CAP_BPF + CAP_PERFMON); TSDIG_BPF_DEBUG=1 prints the whole verifier log.`;
      break;
    default:
      what = `${e.message}; live capture is implemented for Linux on x86_64 only (as root, or with CAP_BPF + CAP_PERFMON).`;
  }
  return `tsdig: live capture is not possible here: ${what} Without live capture you can still look at a capture file: tsdig -r FILE [filter].\n`;
}

/** Before a live job opens anything: the paragraph saying why live capture cannot start, or null. */
export function liveUnavailable(): string | null {
  const pre = checkPrerequisites();
  return pre ? unavailableMessage(pre) : null;
}
