// `sudo tsdig [filter]` end to end: live events through the shared filter/output code, state from
// the /proc bootstrap, Docker container metadata, and the clear failure without privileges.
// Needs root, the built addon, cc and (for the container cases) docker; under CI it FAILS instead
// of skipping when any of these is missing.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TSDIG, haveCmd, needs } from './helpers';
import { startTsdig } from './live';
import { checkPrerequisites } from '../src/live/native';
import { ensureDocker, ensureTestImage, docker, inspect, removeContainers, TEST_IMAGE } from './docker';

const CHILD_C = String.raw`
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
/* usage: child MODE FILE PORT TAG   MODE=new: open, write, connect, write now
 *                                  MODE=old: open + connect, print "ready", wait for a stdin line, then write */
int main(int argc, char **argv) {
  const char *mode = argv[1], *file = argv[2], *tag = argv[4];
  int port = atoi(argv[3]);
  int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 2;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(0x7f000001);
  if (strcmp(mode, "old") == 0) {
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 3;
    printf("ready\n");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return 4;
  }
  char buf[128];
  snprintf(buf, sizeof buf, "file-%s-payload", tag);
  if (write(fd, buf, strlen(buf)) < 0) return 5;
  close(fd);
  if (strcmp(mode, "new") == 0 && connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 3;
  snprintf(buf, sizeof buf, "net-%s-payload", tag);
  if (write(s, buf, strlen(buf)) < 0) return 6;
  close(s);
  return 0;
}
`;

const root = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function prereqSkip(): string | undefined {
  const pre = checkPrerequisites();
  return needs('root', root) ?? needs(`live capture (${pre?.message})`, !pre) ?? needs('a C compiler (cc)', haveCmd('cc'));
}

let built: string | null = null;
/** Compiles the child program once, copied under two names (their comm tells them apart). */
function buildChild(): string {
  if (built) return built;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-live-'));
  fs.writeFileSync(path.join(dir, 'child.c'), CHILD_C);
  const r = cp.spawnSync('cc', ['-O1', '-o', path.join(dir, 'tsdiglivechild'), path.join(dir, 'child.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('cc failed: ' + r.stderr);
  fs.copyFileSync(path.join(dir, 'tsdiglivechild'), path.join(dir, 'tsdigliveold'));
  fs.chmodSync(path.join(dir, 'tsdigliveold'), 0o755);
  built = dir;
  return dir;
}

after(() => {
  if (built) fs.rmSync(built, { recursive: true, force: true });
});


function runChild(exe: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const c = cp.spawn(exe, args, { stdio: 'ignore' });
    c.on('exit', (code) => resolve(code));
  });
}

test('live: new and pre-existing processes, files, tcp tuples, buffers and users resolve', { timeout: 90_000 }, async (t) => {
  const skip = prereqSkip();
  if (skip) return t.skip(skip);
  const dir = buildChild();
  const received: string[] = [];
  const srv = net.createServer((s) => s.on('data', (d) => received.push(d.toString())));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  const newFile = path.join(dir, 'new-output.txt');
  const oldFile = path.join(dir, 'old-output.txt');
  // the pre-existing process: file and connection opened before tsdig starts
  const old = cp.spawn(path.join(dir, 'tsdigliveold'), ['old', oldFile, String(port), 'old'], { stdio: ['pipe', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    old.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    old.on('exit', (c) => reject(new Error('old child exited ' + c)));
  });
  const fmt = '*%proc.name|%evt.dir|%evt.type|%fd.name|%user.name|%evt.arg.tuple|%evt.buffer';
  const live = startTsdig(['-n', '20000', '-p', fmt, 'proc.name=tsdiglivechild or proc.name=tsdigliveold']);
  try {
    await live.ready;
    const code = await runChild(path.join(dir, 'tsdiglivechild'), ['new', newFile, String(port), 'new']);
    assert.equal(code, 0, 'child failed');
    old.stdin!.write('go\n');
    await new Promise((r) => old.on('exit', r));
    await sleep(1500); // batches are handed over within 20 ms; leave margin
  } finally {
    const c = await live.stop();
    old.kill();
    srv.close();
    assert.equal(c, 0, 'tsdig exit code; stderr:\n' + live.stderr());
  }
  const rows = live.stdout().split('\n').filter(Boolean).map((l) => l.split('|'));
  const err = live.stderr();
  const find = (pred: (r: string[]) => boolean, what: string) => {
    const r = rows.find(pred);
    assert.ok(r, `${what} not found in output:\n${live.stdout().slice(0, 4000)}\nstderr:\n${err}`);
    return r!;
  };
  assert.match(err, /events captured/, 'summary on stderr');
  assert.match(err, /dropped/, 'drops in the summary');
  // the new process
  find((r) => r[0] === 'tsdiglivechild' && r[1] === '<' && r[2] === 'execve', 'execve exit of the new child');
  find((r) => r[0] === 'tsdiglivechild' && r[1] === '<' && (r[2] === 'openat' || r[2] === 'open') && r[3] === newFile, 'open of the new file');
  const w = find((r) => r[0] === 'tsdiglivechild' && r[1] === '<' && r[2] === 'write' && r[3] === newFile, 'write to the new file');
  assert.equal(w[4], 'root', 'user.name');
  assert.equal(w[6], 'file-new-payload', 'write buffer');
  const conn = find((r) => r[0] === 'tsdiglivechild' && r[1] === '<' && r[2] === 'connect', 'connect exit');
  assert.match(conn[5]!, new RegExp(`^127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port}$`), 'connect tuple');
  const nw = find((r) => r[0] === 'tsdiglivechild' && r[1] === '<' && r[2] === 'write' && r[6] === 'net-new-payload', 'write to the socket');
  assert.match(nw[3]!, new RegExp(`->127\\.0\\.0\\.1:${port}$`), 'socket fd.name of the new child');
  // the pre-existing process: its fds come from the /proc bootstrap
  const ow = find((r) => r[0] === 'tsdigliveold' && r[1] === '<' && r[2] === 'write' && r[6] === 'file-old-payload', 'write of the old process to its file');
  assert.equal(ow[3], oldFile, 'file fd resolved from /proc');
  assert.equal(ow[4], 'root');
  const on = find((r) => r[0] === 'tsdigliveold' && r[1] === '<' && r[2] === 'write' && r[6] === 'net-old-payload', 'write of the old process to its socket');
  assert.match(on[3]!, new RegExp(`^127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port}$`), 'tcp fd resolved from /proc/net/tcp');
  assert.ok(received.join('').includes('net-new-payload'), 'the server got the data');
});

test('live: -j output for a filtered process', { timeout: 60_000 }, async (t) => {
  const skip = prereqSkip();
  if (skip) return t.skip(skip);
  const dir = buildChild();
  const srv = net.createServer((s) => s.resume());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  const live = startTsdig(['-j', '-n', '20000', 'proc.name=tsdiglivechild and evt.type=write']);
  try {
    await live.ready;
    assert.equal(await runChild(path.join(dir, 'tsdiglivechild'), ['new', path.join(dir, 'j.txt'), String(port), 'json']), 0);
    await sleep(1000);
  } finally {
    await live.stop();
    srv.close();
  }
  const objs = live.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(objs.length >= 2, 'json rows: ' + live.stdout());
  assert.ok(objs.every((o) => o['proc.name'] === 'tsdiglivechild' && o['evt.type'] === 'write'), live.stdout());
  assert.ok(objs.some((o) => String((o['evt.info'] as string) ?? '').includes('file-json-payload')), live.stdout());
});

async function dockerSkip(): Promise<string | undefined> {
  return prereqSkip() ?? (await ensureDocker().then((e) => needs(`docker (${e})`, !e))) ?? ((e) => needs(`the busybox test image (${e})`, !e))(ensureTestImage());
}

const CT = 'tsdig-live-test';
const CT_CMD = 'while true; do cat /etc/hostname > /dev/null; sleep 0.2; done';

test('live: container id, name and image from docker', { timeout: 90_000 }, async (t) => {
  const skip = await dockerSkip();
  if (skip) return t.skip(skip);
  removeContainers([CT]);
  try {
    const r = docker(['run', '-d', '--name', CT, TEST_IMAGE, 'sh', '-c', CT_CMD]);
    assert.equal(r.status, 0, r.stderr);
    const id = inspect(CT, '{{.Id}}').slice(0, 12);
    const live = startTsdig(['-n', '30', '-p', '%container.id %container.name %container.image %proc.name %evt.type', `container.name=${CT}`]);
    await live.ready;
    const code = await Promise.race([live.exited, sleep(20_000).then(() => live.stop())]);
    assert.equal(code, 0, 'tsdig exit; stderr:\n' + live.stderr());
    const rows = live.stdout().split('\n').filter(Boolean);
    assert.equal(rows.length, 30, `30 rows expected (-n 30):\n${live.stdout()}\n${live.stderr()}`);
    for (const row of rows) {
      const [cid, name, image, pname] = row.split(' ');
      assert.equal(cid, id, row);
      assert.equal(name, CT, row);
      assert.equal(image, TEST_IMAGE, row);
      assert.ok(['sh', 'cat', 'sleep', 'exe'].includes(pname!), row);
    }
  } finally {
    removeContainers([CT]);
  }
});

test('live: docker daemon unreachable: capture works, container.name falls back to the id', { timeout: 90_000 }, async (t) => {
  const skip = await dockerSkip();
  if (skip) return t.skip(skip);
  const name = CT + '-nodaemon';
  removeContainers([name]);
  try {
    const r = docker(['run', '-d', '--name', name, TEST_IMAGE, 'sh', '-c', CT_CMD]);
    assert.equal(r.status, 0, r.stderr);
    const id = inspect(name, '{{.Id}}').slice(0, 12);
    const live = startTsdig(['-n', '10', '-p', '%container.id %container.name %proc.name', `container.id=${id}`], { TSDIG_DOCKER_SOCKET: '/nonexistent/docker.sock' });
    await live.ready;
    const code = await Promise.race([live.exited, sleep(20_000).then(() => live.stop())]);
    assert.equal(code, 0, 'tsdig exit; stderr:\n' + live.stderr());
    const warnings = live.stderr().split('\n').filter((l) => l.includes('docker'));
    assert.equal(warnings.length, 1, 'one docker warning line:\n' + live.stderr());
    assert.match(warnings[0]!, /\/nonexistent\/docker\.sock/);
    const rows = live.stdout().split('\n').filter(Boolean);
    assert.equal(rows.length, 10, live.stdout() + live.stderr());
    for (const row of rows) assert.deepEqual(row.split(' ').slice(0, 2), [id, id], row);
  } finally {
    removeContainers([name]);
  }
});

test('live: without privileges, one clear paragraph and a non-zero exit', { timeout: 30_000 }, (t) => {
  const skip = needs('root (to switch to nobody)', root) ?? needs('runuser', haveCmd('runuser'));
  if (skip) return t.skip(skip);
  const r = cp.spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, TSDIG, '-n', '1'], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(r.status, 0, 'exit code');
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /root/);
  assert.match(r.stderr, /CAP_BPF/);
  assert.match(r.stderr, /tsdig -r FILE/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
