// Test plumbing for container runtimes other than Docker, with no registry: the busybox rootfs
// becomes an OCI image archive for `ctr image import` and a plain tar for `podman import`; the
// standalone containerd and podman's API service are started when they are not running (and left
// running, as test/docker.ts does with dockerd). Everything created is named h13-… / tsdig-rt-….
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { haveCmd } from './helpers';

export const CTR_NS = 'tsdig-rt-test';
export const CTR_IMAGE = 'docker.io/library/tsdig-rt-busybox:test';
export const PODMAN_IMAGE = 'localhost/tsdig-rt-busybox:test';
export const CONTAINERD_SOCK = '/run/containerd/containerd.sock';
export const PODMAN_SOCK = '/run/podman/podman.sock';
/** podman's default rlimits exceed what a sandboxed root may set */
export const PODMAN_LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export function sh(cmd: string, args: string[], timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A directory with the busybox rootfs (bin/busybox and its applets). */
export function busyboxRoot(dir: string): string {
  const bb = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!bb) throw new Error('busybox (busybox-static) is not installed');
  const root = path.join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'usr', 'tmp']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.copyFileSync(bb, path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'sleep', 'cat', 'echo', 'true']) if (!fs.existsSync(path.join(root, 'bin', a))) fs.symlinkSync('busybox', path.join(root, 'bin', a));
  fs.writeFileSync(path.join(root, 'etc', 'os-release'), 'ID=tsdig-rt-test\n');
  return root;
}

/** An OCI image layout archive (one layer: the rootfs tar) named `ref`. */
function ociArchive(rootTar: string, ref: string, out: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-rt-oci-'));
  try {
    const blobs = path.join(dir, 'blobs', 'sha256');
    fs.mkdirSync(blobs, { recursive: true });
    const put = (b: Buffer) => {
      const h = crypto.createHash('sha256').update(b).digest('hex');
      fs.writeFileSync(path.join(blobs, h), b);
      return { digest: `sha256:${h}`, size: b.length };
    };
    const layer = put(fs.readFileSync(rootTar));
    const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
    const manifest = put(Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    })));
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'io.containerd.image.name': ref } }] }));
    fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const r = sh('tar', ['-C', dir, '-cf', out, 'oci-layout', 'index.json', 'blobs']);
    if (r.status !== 0) throw new Error('tar: ' + r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function withRootTar<T>(f: (tar: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsdig-rt-img-'));
  try {
    const root = busyboxRoot(dir);
    const tar = path.join(dir, 'rootfs.tar');
    const r = sh('tar', ['-C', root, '-cf', tar, '.']);
    if (r.status !== 0) throw new Error('tar: ' + r.stderr);
    return f(tar, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts the standalone containerd when its socket does not answer; returns why it cannot run, or undefined. */
export async function ensureContainerd(): Promise<string | undefined> {
  if (!haveCmd('ctr') || !haveCmd('containerd')) return 'containerd (Debian package containerd) is not installed';
  if (sh('ctr', ['--address', CONTAINERD_SOCK, 'version'], 10_000).status === 0) return undefined;
  const log = fs.openSync(path.join(os.tmpdir(), 'tsdig-containerd.log'), 'a');
  const d = spawn('containerd', [], { detached: true, stdio: ['ignore', log, log] });
  d.unref();
  fs.closeSync(log);
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    if (sh('ctr', ['--address', CONTAINERD_SOCK, 'version'], 10_000).status === 0) return undefined;
  }
  return `containerd did not come up in 30 s (see ${path.join(os.tmpdir(), 'tsdig-containerd.log')})`;
}

export function ctr(args: string[], timeout = 60_000) {
  return sh('ctr', ['--address', CONTAINERD_SOCK, '-n', CTR_NS, ...args], timeout);
}

export function ensureCtrImage(): string | undefined {
  if (ctr(['image', 'ls', '-q']).stdout.split('\n').includes(CTR_IMAGE)) return undefined;
  return withRootTar((tar, dir) => {
    const oci = path.join(dir, 'oci.tar');
    ociArchive(tar, CTR_IMAGE, oci);
    const r = ctr(['image', 'import', oci]);
    return r.status === 0 ? undefined : `ctr image import failed: ${r.stderr}`;
  });
}

/** Removes our ctr containers (tasks first). */
export function ctrRemove(ids: string[]): void {
  for (const id of ids) {
    ctr(['task', 'kill', '-s', 'SIGKILL', id], 10_000);
    for (let i = 0; i < 20 && ctr(['task', 'delete', id], 10_000).status !== 0 && ctr(['task', 'ls', '-q']).stdout.split('\n').includes(id); i++) spawnSync('sleep', ['0.2']);
    ctr(['container', 'delete', id], 10_000);
  }
}

function podmanUp(): Promise<boolean> {
  if (!fs.existsSync(PODMAN_SOCK)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = http.get({ socketPath: PODMAN_SOCK, path: '/_ping', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

/** Starts `podman system service` on PODMAN_SOCK when nothing answers there. */
export async function ensurePodman(): Promise<string | undefined> {
  if (!haveCmd('podman')) return 'podman (Debian package podman) is not installed';
  if (await podmanUp()) return undefined;
  fs.mkdirSync(path.dirname(PODMAN_SOCK), { recursive: true });
  const log = fs.openSync(path.join(os.tmpdir(), 'tsdig-podman-service.log'), 'a');
  const d = spawn('podman', ['system', 'service', '--time=0', `unix://${PODMAN_SOCK}`], { detached: true, stdio: ['ignore', log, log] });
  d.unref();
  fs.closeSync(log);
  for (let i = 0; i < 40; i++) {
    await sleep(500);
    if (await podmanUp()) return undefined;
  }
  return `podman system service did not answer on ${PODMAN_SOCK} in 20 s`;
}

export function ensurePodmanImage(): string | undefined {
  if (sh('podman', ['image', 'exists', PODMAN_IMAGE]).status === 0) return undefined;
  return withRootTar((tar) => {
    const r = sh('podman', ['import', tar, PODMAN_IMAGE], 120_000);
    return r.status === 0 ? undefined : `podman import failed: ${r.stderr}`;
  });
}
