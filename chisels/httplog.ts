// httplog: one line per HTTP request/response pair seen on a socket.
import { defineChisel } from '../src/chisel/api';

interface Pending {
  method: string;
  url: string;
  ts: number;
  dir: string;
  container: string;
}

/** "METHOD url" at the start of a request, Host header added to the url */
function parseRequest(buf: string): { method: string; url: string } | undefined {
  const m = /^([A-Z]+) ([\x21-\x7e]+)/.exec(buf);
  if (!m) return undefined;
  // the buffer shows CR LF as "..": the Host value is what precedes them
  const host = /Host: ([\x21-\x7e]+)\.\./.exec(buf);
  return { method: m[1]!, url: host ? host[1]! + m[2]! : m[2]! };
}

function parseResponse(buf: string): { code: number; length: number } | undefined {
  const m = /HTTP\/[\x21-\x7e]+ (\d+)/.exec(buf);
  if (!m) return undefined;
  const len = /Content-Length: (\d+)\.\./.exec(buf);
  return { code: Number(m[1]), length: len ? Number(len[1]) : 0 };
}

export default defineChisel({
  name: 'httplog',
  category: 'Application',
  shortDescription: 'HTTP requests log',
  description:
    'Shows a log of all HTTP requests: for each request and its response on the same socket of a process, the response time, the direction (< received, > sent), method, URL (with the Host header), response code, latency and Content-Length. With -pc the container name is shown too.',
  args: [],
  fields: ['evt.buffer', 'fd.num', 'proc.pid', 'evt.rawtime', 'evt.datetime', 'evt.io_dir', 'container.name'],
  filter: 'evt.is_io=true and evt.buflen > 0 and (fd.sockfamily=ip or fd.sockfamily=unix)',
  init(api) {
    const buffer = api.field('evt.buffer');
    const fdnum = api.field('fd.num');
    const pid = api.field('proc.pid');
    const datetime = api.field('evt.datetime');
    const iodir = api.field('evt.io_dir');
    const cname = api.field('container.name');
    const withC = api.printContainerData();
    const pending = new Map<string, Pending>();
    return {
      onEvent(c) {
        const buf = buffer.display(c) ?? '';
        const key = `${pid.display(c) ?? ''}\u0001${fdnum.display(c) ?? ''}`;
        // ns as a double, like the Lua chisel's numbers
        const ts = Number(c.e.tsBig());
        const p = pending.get(key);
        if (!p) {
          const req = parseRequest(buf);
          if (!req) return;
          const d = iodir.value(c);
          pending.set(key, { ...req, ts, dir: d === 'read' ? '<' : d === 'write' ? '>' : '<NA>', container: cname.display(c) ?? '<NA>' });
          return;
        }
        const resp = parseResponse(buf);
        if (!resp) return;
        pending.delete(key);
        const container = withC ? ` ${p.container} ` : ' ';
        api.print(
          `${datetime.display(c) ?? ''}${container}${p.dir} method=${p.method} url=${p.url} response_code=${resp.code} ` +
            `latency=${Math.trunc((ts - p.ts) / 1e6)}ms size=${resp.length}B`,
        );
      },
    };
  },
});
