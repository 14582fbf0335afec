// Live capture through the native BPF addon (native/, src/live/native.ts).
// Runs only as root with the addon built; when process.env.CI is set and it cannot run, it FAILS.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { NativeCapture, checkPrerequisites, forEachRecord } from '../src/live/native';

// ---- event table (read directly so the test does not depend on the decoder) ----
function findRoot(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(d, 'binding.gyp'))) return d;
    d = path.dirname(d);
  }
  throw new Error('repo root not found');
}
const ROOT = findRoot();
type RawEvent = { name: string; dir: number; nparams: number; params: Array<[string, number, number, unknown]> };
const TABLE: RawEvent[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/events/data/event-table.json'), 'utf8'));
const SC_NAMES: Record<string, string> = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/events/data/syscall-names.json'), 'utf8'));
const PPM_SC = new Map(Object.entries(SC_NAMES).map(([k, v]) => [v, Number(k)]));
// fixed sizes by PT_* type id
const FIXED: Record<number, number> = {
  1: 1, 2: 2, 3: 4, 4: 8, 5: 1, 6: 2, 7: 4, 8: 8, 11: 8, 14: 8, 15: 8, 18: 2, 19: 1, 20: 8, 21: 8, 22: 2, 23: 1,
  24: 1, 25: 4, 26: 4, 28: 1, 29: 2, 30: 4, 31: 4, 32: 4, 33: 8, 34: 4, 42: 4, 46: 4,
};
const STRINGY = new Set([9, 17, 43]); // CHARBUF, FSPATH, FSRELPATH: NUL-terminated

interface Ev {
  cpu: number;
  flags: number;
  ts: bigint;
  tid: number;
  type: number;
  params: Buffer[];
}

function parseBatch(buf: Buffer, out: Ev[], problems: string[]): void {
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer;
  forEachRecord(ab, buf.length, (off, cpu, flags, reclen) => {
    const b = buf.subarray(off, off - 8 + reclen);
    const ts = b.readBigUInt64LE(0);
    const tid = Number(b.readBigUInt64LE(8));
    const len = b.readUInt32LE(16);
    const type = b.readUInt16LE(20);
    const nparams = b.readUInt32LE(22);
    const where = `type ${type} (${TABLE[type]?.name}) tid ${tid}`;
    if (len + 8 > reclen || reclen - (len + 8) >= 8) problems.push(`${where}: len ${len} vs reclen ${reclen}`);
    const info = TABLE[type];
    if (!info) {
      problems.push(`${where}: unknown type`);
      return;
    }
    if (nparams !== info.nparams) problems.push(`${where}: nparams ${nparams}, table ${info.nparams}`);
    let p = 26 + 2 * nparams;
    const params: Buffer[] = [];
    for (let i = 0; i < nparams; i++) {
      const l = b.readUInt16LE(26 + 2 * i);
      params.push(b.subarray(p, p + l));
      p += l;
      const pt = info.params[i]?.[1];
      if (pt === undefined || l === 0) continue;
      if (FIXED[pt] !== undefined && FIXED[pt] !== l) problems.push(`${where}: param ${info.params[i]![0]} type ${pt} len ${l}`);
      if (STRINGY.has(pt) && b[p - 1] !== 0) problems.push(`${where}: param ${info.params[i]![0]} not NUL-terminated`);
    }
    if (p !== len) problems.push(`${where}: params end at ${p}, len ${len}`);
    out.push({ cpu, flags, ts, tid, type, params });
  });
}

const i64 = (b: Buffer) => Number(b.readBigInt64LE(0));
const u32 = (b: Buffer) => b.readUInt32LE(0);
const u16 = (b: Buffer) => b.readUInt16LE(0);
const str = (b: Buffer) => b.subarray(0, Math.max(0, b.length - 1)).toString('latin1');

const CHILD_C = String.raw`
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  const char *path = argv[1];
  int port = atoi(argv[2]);
  const char *msg = "hello tsdig 0123456789";
  int fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  syscall(SYS_write, fd, msg, strlen(msg));
  syscall(SYS_close, fd);
  fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
  char buf[256];
  syscall(SYS_read, fd, buf, sizeof buf);
  syscall(SYS_pread64, fd, buf, 5, 6);
  syscall(SYS_lseek, fd, 0, SEEK_SET);
  struct iovec iov[2] = { { buf, 5 }, { buf + 5, 100 } };
  syscall(SYS_readv, fd, iov, 2);
  syscall(SYS_close, fd);
  fd = syscall(SYS_open, "/nonexistent/tsdig", O_RDONLY);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = { 0 };
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(0x7f000001);
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("connect"); return 2; }
  syscall(SYS_sendto, s, "net-payload", 11, 0, NULL, 0);
  syscall(SYS_write, s, "more", 4);
  syscall(SYS_close, s);
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in ua = { 0 };
  ua.sin_family = AF_INET; ua.sin_addr.s_addr = htonl(0x7f000001);
  bind(u, (struct sockaddr *)&ua, sizeof ua);
  socklen_t ul = sizeof ua;
  getsockname(u, (struct sockaddr *)&ua, &ul);
  sendto(u, "dgram", 5, 0, (struct sockaddr *)&ua, sizeof ua);
  struct sockaddr_in from; socklen_t fl = sizeof from;
  recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
  close(u);
  int sp[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
  struct iovec wv[2] = { { "ab", 2 }, { "cd", 2 } };
  struct msghdr mh = { 0 }; mh.msg_iov = wv; mh.msg_iovlen = 2;
  sendmsg(sp[0], &mh, 0);
  struct iovec rv[1] = { { buf, sizeof buf } };
  struct msghdr rh = { 0 }; rh.msg_iov = rv; rh.msg_iovlen = 1;
  recvmsg(sp[1], &rh, 0);
  struct pollfd pfd = { sp[1], POLLIN, 0 };
  poll(&pfd, 1, 0);
  close(sp[0]); close(sp[1]);
  int pp[2]; syscall(SYS_pipe2, pp, O_CLOEXEC);
  int d = syscall(SYS_dup2, pp[0], 50);
  close(d); close(pp[0]); close(pp[1]);
  int efd = eventfd(3, 0); close(efd);
  char dir[512]; snprintf(dir, sizeof dir, "%s.d", path);
  syscall(SYS_mkdir, dir, 0755);
  char p2[512]; snprintf(p2, sizeof p2, "%s.renamed", path);
  syscall(SYS_rename, path, p2);
  syscall(SYS_unlink, p2);
  syscall(SYS_rmdir, dir);
  struct stat st; syscall(SYS_stat, "/etc/hostname", &st);
  syscall(SYS_access, "/etc/hostname", R_OK);
  struct timespec ts = { 0, 1000 }; syscall(SYS_nanosleep, &ts, NULL);
  void *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mprotect(m, 4096, PROT_READ); munmap(m, 8192);
  syscall(SYS_getppid);
  syscall(SYS_kill, getpid(), 0);
  pid_t c = fork();
  if (c == 0) {
    /* strings on the (already faulted-in) stack: BPF cannot fault in pages at sys_enter */
    char prog[] = "/bin/true", a1[] = "arg1", e1[] = "TSDIG=1";
    char *av[] = { prog, a1, NULL }; char *ev[] = { e1, NULL };
    execve(prog, av, ev); _exit(127);
  }
  int status; waitpid(c, &status, 0);
  printf("%d %d\n", getpid(), c);
  return 0;
}
`;

function bpftoolTsdigProgs(): Set<number> {
  const r = cp.spawnSync('bpftool', ['-j', 'prog', 'list'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('bpftool prog list failed: ' + r.stderr);
  const progs = JSON.parse(r.stdout) as Array<{ id: number; name?: string }>;
  return new Set(progs.filter((p) => (p.name ?? '').startsWith('tsdig_')).map((p) => p.id));
}

/** BPF program ids held by this process, from the prog_id lines of /proc/self/fdinfo */
function ownProgIds(): Set<number> {
  const ids = new Set<number>();
  for (const fd of fs.readdirSync('/proc/self/fdinfo')) {
    try {
      const m = /^prog_id:\s*(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // fd closed meanwhile
    }
  }
  return ids;
}

function cannotRun(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'not linux/x64';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  const pre = checkPrerequisites();
  if (pre) return pre.message;
  if (cp.spawnSync('cc', ['--version']).status !== 0) return 'no C compiler (cc)';
  if (cp.spawnSync('bpftool', ['version']).status !== 0) return 'bpftool missing';
  return null;
}

const why = cannotRun();

test('live native capture: sysdig-format events for a known child process', { skip: !process.env.CI && why ? why : false, timeout: 30000 }, async () => {
  if (why) assert.fail(`live capture test cannot run in CI: ${why}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-live-'));
  let cap: NativeCapture | undefined;
  let server: net.Server | undefined;
  try {

    const src = path.join(tmp, 'child.c');
    const exe = path.join(tmp, 'child');
    fs.writeFileSync(src, CHILD_C);
    const cc = cp.spawnSync('cc', ['-O1', '-o', exe, src], { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
    const file = path.join(tmp, 'target.txt');

    // a TCP server for the child to connect to
    const received: Buffer[] = [];
    const srv = net.createServer((sock) => sock.on('data', (d) => received.push(d)));
    server = srv;
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;

    const before = bpftoolTsdigProgs();
    const c = new NativeCapture({ bufferSize: 32 << 20 });
    cap = c;
    const batches: Buffer[] = [];
    let batchCalls = 0;
    const t0 = BigInt(Date.now()) * 1000000n;
    cap.start((ab, n) => {
      batchCalls++;
      batches.push(Buffer.from(ab, 0, n));
    });
    // ours = the tsdig programs this process holds (another capture may run concurrently)
    void before;
    const listed = bpftoolTsdigProgs();
    const ours = [...ownProgIds()].filter((id) => listed.has(id));
    assert.equal(ours.length, 3, 'enter, exit and procexit programs loaded');

    const child = cp.spawn(exe, [file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0, 'child exit code');
    await new Promise((r) => setTimeout(r, 150)); // > 20 ms batch age + 10 ms poll
    const st = cap.stats();
    cap.close();
    cap.close(); // idempotent
    const t1 = BigInt(Date.now()) * 1000000n;
    server.close();
    // program memory is released after an RCU grace period: poll briefly
    const left = () => {
      const now = bpftoolTsdigProgs();
      return ours.filter((id) => now.has(id));
    };
    let remaining = left();
    for (let i = 0; i < 60 && remaining.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      remaining = left();
    }
    assert.deepEqual(remaining, [], 'no tsdig programs left after close');
    const callsAtClose = batchCalls;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(batchCalls, callsAtClose, 'no batches after close');

    assert.equal(st.drops, 0, 'no drops');
    assert.equal(st.errors, 0, 'no build errors');
    assert.ok(st.events > 0 && st.batches > 0, JSON.stringify(st));

    const [childPid, grandPid] = out.trim().split(/\s+/).map(Number) as [number, number];
    assert.ok(childPid > 0 && grandPid > 0, 'child printed pids: ' + out);

    const all: Ev[] = [];
    const problems: string[] = [];
    for (const b of batches) parseBatch(b, all, problems);
    assert.deepEqual(problems.slice(0, 20), [], 'every record matches the event table');
    for (const e of all) {
      assert.ok(e.ts > t0 - 2000000000n && e.ts < t1 + 2000000000n, `epoch timestamp ${e.ts}`);
    }
    const evs = all.filter((e) => e.tid === childPid);
    const gevs = all.filter((e) => e.tid === grandPid);
    assert.ok(evs.length > 50, `child events: ${evs.length}`);
    const name = (t: number) => TABLE[t]!.name;
    const find = (t: number, pred: (e: Ev) => boolean = () => true, from = 0) => {
      const i = evs.findIndex((e, k) => k >= from && e.type === t && pred(e));
      assert.ok(i >= 0, `event ${t} (${name(t)}${t % 2 ? ' exit' : ' enter'}) not found`);
      return i;
    };

    // openat(O_CREAT|O_WRONLY) → write → close
    const oi = find(307, (e) => str(e.params[2]!) === file);
    const oe = evs[oi]!;
    const fd = i64(oe.params[0]!);
    assert.ok(fd >= 0);
    assert.equal(i64(oe.params[1]!), -100, 'dirfd AT_FDCWD');
    assert.equal(u32(oe.params[3]!) & 0x7, 4 | 2, 'flags O_CREAT|O_WRONLY');
    assert.equal(u32(oe.params[4]!), 0o644, 'mode');
    assert.equal(evs[oi - 1]!.type, 306, 'openat enter precedes exit');
    assert.equal(str(evs[oi - 1]!.params[1]!), file);
    const wi = find(8, (e) => i64(e.params[0]!) === fd, oi);
    const msg = 'hello tsdig 0123456789';
    assert.equal(u32(evs[wi]!.params[1]!), msg.length);
    assert.equal(evs[wi + 1]!.type, 9);
    assert.equal(i64(evs[wi + 1]!.params[0]!), msg.length);
    assert.equal(evs[wi + 1]!.params[1]!.toString(), msg);
    const ci = find(4, (e) => i64(e.params[0]!) === fd, wi);
    assert.equal(evs[ci + 1]!.type, 5);
    assert.equal(i64(evs[ci + 1]!.params[0]!), 0);

    // read back
    const ri = find(7, (e) => i64(e.params[0]!) === msg.length, ci);
    assert.equal(evs[ri]!.params[1]!.toString(), msg);
    const pri = find(113, () => true, ri);
    assert.equal(evs[pri]!.params[1]!.toString(), msg.slice(6, 11));
    const rvi = find(117, () => true, pri);
    assert.equal(u32(evs[rvi]!.params[1]!), 105, 'readv size = iov total');
    assert.equal(evs[rvi]!.params[2]!.toString(), msg);

    // failed open: negative errno, path kept
    const fo = find(3, (e) => str(e.params[1]!) === '/nonexistent/tsdig');
    assert.equal(i64(evs[fo]!.params[0]!), -2, 'ENOENT');

    // TCP connect to the test's server
    const si = find(19);
    const sfd = i64(evs[si]!.params[0]!);
    const ce = find(22, (e) => i64(e.params[0]!) === sfd, si);
    const addr = evs[ce]!.params[1]!;
    assert.equal(addr[0], 2, 'AF_INET');
    assert.deepEqual([...addr.subarray(1, 5)], [127, 0, 0, 1]);
    assert.equal(addr.readUInt16LE(5), port);
    const cx = evs[ce + 1]!;
    assert.equal(cx.type, 23);
    assert.equal(i64(cx.params[0]!), 0);
    const tup = cx.params[1]!;
    assert.equal(tup.length, 13);
    assert.equal(tup[0], 2);
    assert.deepEqual([...tup.subarray(1, 5)], [127, 0, 0, 1]);
    assert.ok(tup.readUInt16LE(5) > 0, 'source port');
    assert.deepEqual([...tup.subarray(7, 11)], [127, 0, 0, 1]);
    assert.equal(tup.readUInt16LE(11), port);
    const sti = find(30, (e) => i64(e.params[0]!) === sfd, ce);
    assert.equal(evs[sti]!.params[2]!.readUInt16LE(11), port, 'sendto enter tuple');
    assert.equal(evs[sti + 1]!.params[1]!.toString(), 'net-payload');
    const sso = find(45);
    assert.equal(i64(evs[sso]!.params[1]!), sfd);
    assert.equal(evs[sso]!.params[2]![0], 1, 'SOL_SOCKET');
    assert.equal(evs[sso]!.params[3]![0], 9, 'SO_KEEPALIVE');
    assert.deepEqual([...evs[sso]!.params[4]!], [2, 1, 0, 0, 0], 'DYN uint32 1');

    // UDP recvfrom: data + inbound tuple
    const rf = find(35);
    assert.equal(evs[rf]!.params[1]!.toString(), 'dgram');
    assert.equal(evs[rf]!.params[2]![0], 2);
    // unix socketpair / sendmsg / recvmsg
    const spx = find(43);
    assert.equal(i64(evs[spx]!.params[0]!), 0);
    assert.ok(i64(evs[spx]!.params[1]!) >= 0 && i64(evs[spx]!.params[2]!) >= 0);
    const smx = find(49);
    assert.equal(evs[smx]!.params[1]!.toString(), 'abcd');
    const rmx = find(53);
    assert.equal(i64(evs[rmx]!.params[0]!), 4);
    assert.equal(evs[rmx]!.params[2]!.toString(), 'abcd');
    assert.equal(evs[rmx]!.params[3]![0], 1, 'AF_UNIX tuple');
    const pe = find(80);
    assert.equal(u16(evs[pe]!.params[0]!), 1, 'poll fdlist count');

    // pipe2 → pipe event, dup2 → dup event
    const pi = find(61);
    assert.equal(i64(evs[pi]!.params[0]!), 0);
    assert.ok(Number(evs[pi]!.params[3]!.readBigUInt64LE(0)) > 0, 'pipe inode');
    const di = find(125, (e) => i64(e.params[0]!) === 50);
    assert.ok(di > 0);
    find(63); // eventfd
    assert.equal(str(evs[find(277)]!.params[1]!), file + '.d', 'mkdir path');
    const rn = evs[find(175)]!;
    assert.equal(str(rn.params[1]!), file);
    assert.equal(str(rn.params[2]!), file + '.renamed');
    assert.equal(str(evs[find(301)]!.params[1]!), file + '.renamed', 'unlink path');
    assert.equal(str(evs[find(279)]!.params[1]!), file + '.d', 'rmdir path');
    assert.equal(i64(evs[find(67, (e) => str(e.params[1]!) === '/etc/hostname')]!.params[0]!), 0, 'stat res');
    assert.equal(i64(evs[find(265, (e) => str(e.params[1]!) === '/etc/hostname')]!.params[0]!), 0, 'access res');
    assert.equal(evs[find(134)]!.params[0]!.readBigUInt64LE(0), 1000n, 'nanosleep interval');
    find(161); find(165); find(329); // mmap/munmap/mprotect exits
    const ki = find(128, (e) => i64(e.params[0]!) === childPid);
    assert.equal(evs[ki]!.params[1]![0], 0, 'kill sig 0');

    // generic: getppid
    const gi = find(0, (e) => u16(e.params[0]!) === PPM_SC.get('getppid'));
    assert.equal(u16(evs[gi]!.params[1]!), 110, 'native id of getppid');
    assert.equal(evs[gi + 1]!.type, 1);
    assert.equal(u16(evs[gi + 1]!.params[0]!), PPM_SC.get('getppid'));

    // fork (clone) in the parent: res = grandchild
    const cl = find(223, (e) => i64(e.params[0]!) === grandPid);
    assert.equal(i64(evs[cl]!.params[3]!), childPid, 'clone exit tid');
    assert.equal(str(evs[cl]!.params[13]!), 'child', 'clone exit comm');
    // grandchild: clone exit res 0, execve enter/exit, procexit
    const gclone = gevs.find((e) => e.type === 223);
    assert.ok(gclone, 'clone exit in the child');
    assert.equal(i64(gclone.params[0]!), 0);
    assert.equal(i64(gclone.params[5]!), childPid, 'ptid');
    const xe = gevs.find((e) => e.type === 292);
    assert.ok(xe, 'execve enter');
    assert.equal(str(xe.params[0]!), '/bin/true');
    const xx = gevs.find((e) => e.type === 293);
    assert.ok(xx, 'execve exit');
    assert.equal(i64(xx.params[0]!), 0);
    assert.equal(str(xx.params[1]!), '/bin/true', 'exe');
    assert.equal(xx.params[2]!.toString(), 'arg1\0', 'args');
    assert.equal(i64(xx.params[3]!), grandPid);
    assert.equal(i64(xx.params[4]!), grandPid);
    assert.equal(i64(xx.params[5]!), childPid);
    assert.equal(str(xx.params[13]!), 'true', 'comm');
    assert.equal(xx.params[15]!.toString(), 'TSDIG=1\0', 'env');
    const cgroups = xx.params[14]!.toString().split('\0').filter(Boolean);
    assert.ok(cgroups.length >= 1 && cgroups.every((c) => /^[a-z_]+=\//.test(c)), 'cgroups: ' + JSON.stringify(cgroups));
    const px = gevs.find((e) => e.type === 186);
    assert.ok(px, 'procexit');
    assert.equal(i64(px.params[0]!), 0);
  } finally {
    cap?.close(); // always detach, even when an assertion failed
    server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
