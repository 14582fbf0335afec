// Test containers: makes sure dockerd runs (starting it when it does not, and leaving it running),
// builds the local busybox image the network tests use (no registry here), and runs/removes containers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { haveCmd, needs } from './helpers';

export const TEST_IMAGE = 'tsdig-busybox:test';
const SOCK = '/var/run/docker.sock';

export function docker(args: string[], timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

function daemonUp(): boolean {
  return fs.existsSync(SOCK) && docker(['version', '--format', '{{.Server.Version}}'], 10_000).status === 0;
}

/** Returns undefined when docker is usable, else the reason it is not. */
export async function ensureDocker(): Promise<string | undefined> {
  if (!haveCmd('docker')) return 'the docker CLI is not installed';
  if (daemonUp()) return undefined;
  if (!haveCmd('dockerd')) return 'dockerd is not installed';
  if (process.getuid?.() !== 0) return 'dockerd is not running and starting it needs root';
  const log = fs.openSync(path.join(os.tmpdir(), 'dockerd.log'), 'a');
  const d = spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] });
  d.unref();
  fs.closeSync(log);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    if (daemonUp()) return undefined;
  }
  return `dockerd did not come up in 30 s (see ${path.join(os.tmpdir(), 'dockerd.log')})`;
}

/** Builds TEST_IMAGE from the static busybox when it is missing; returns an error text or undefined. */
export function ensureTestImage(): string | undefined {
  if (docker(['image', 'inspect', TEST_IMAGE]).status === 0) return undefined;
  const bb = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!bb) return 'busybox (busybox-static) is not installed';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-img-'));
  try {
    const root = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
    fs.copyFileSync(bb, path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    for (const a of ['sh', 'httpd', 'wget', 'sleep', 'cat', 'mkdir', 'echo', 'seq']) fs.symlinkSync('busybox', path.join(root, 'bin', a));
    const r = spawnSync('sh', ['-c', `tar -C '${root}' -c . | docker import - ${TEST_IMAGE}`], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) return `docker import failed: ${r.stderr}`;
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function runContainer(name: string, cmd: string): string {
  const r = docker(['run', '-d', '--name', name, '--label', 'tsdig-test=1', TEST_IMAGE, 'sh', '-c', cmd]);
  if (r.status !== 0) throw new Error(`docker run ${name}: ${r.stderr}`);
  return r.stdout.trim();
}

export function inspect(name: string, format: string): string {
  return docker(['inspect', '-f', format, name]).stdout.trim();
}

export function removeContainers(names: string[]): void {
  if (names.length) docker(['rm', '-f', ...names]);
}

/** The web server the packet tests fetch from: busybox httpd serving one small page. */
export const HTTPD_CMD = 'mkdir -p /www && echo hello-from-tsdig-test > /www/index.html && exec httpd -f -p 80 -h /www';

/** Why a container test cannot run (dockerd or the busybox image missing; fails in CI), or undefined. */
export async function dockerSkip(): Promise<string | undefined> {
  const e = await ensureDocker();
  if (e) return needs(`docker (${e})`, false);
  const i = ensureTestImage();
  return i ? needs(`the busybox test image (${i})`, false) : undefined;
}
