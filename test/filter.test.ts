import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldError, type FieldAccessor, type FieldRegistry, type FieldType, type FieldValue } from '../src/fields/types';
import { compileFilter, FilterError, formatFilterError } from '../src/filter';
import { globToRegExp, parseIpInto } from '../src/filter/ops';
import { parseIp } from '../src/util/net';

// ---- a tiny fake registry: events are plain objects keyed by the canonical field name ----------
type Ev = Record<string, FieldValue>;

const TYPES: Record<string, FieldType> = {
  'proc.name': 'string',
  'proc.pname': 'string',
  'proc.pid': 'int',
  'proc.aname': 'list', // without index: every ancestor
  'proc.aname[]': 'string', // with index
  'evt.type': 'string',
  'evt.dir': 'string',
  'evt.rawres': 'int',
  'evt.latency': 'reltime',
  'evt.rawtime': 'abstime',
  'evt.num': 'bigint',
  'evt.failed': 'bool',
  'evt.buffer': 'bytes',
  'evt.cpu': 'int',
  'evt.arg[]': 'string',
  'evt.arg.*': 'string',
  'evt.type.is.*': 'int',
  'thread.cgroup.*': 'string',
  'fd.name': 'string',
  'fd.directory': 'string',
  'fd.sip': 'ipaddr',
  'fd.cip': 'ipaddr',
  'fd.net': 'ipnet',
  'fd.sport': 'port',
  'fd.l4proto': 'l4proto',
  'thread.cpu': 'double',
  'container.mounts': 'list',
};

class FakeRegistry implements FieldRegistry<Ev> {
  calls = 0;
  resolve(name: string, arg?: string): FieldAccessor<Ev> {
    const dyn = name.match(/^(evt\.arg|evt\.type\.is|thread\.cgroup)\./);
    const key = arg !== undefined ? `${name}[]` : dyn ? `${dyn[1]}.*` : name;
    const type = TYPES[key];
    if (!type) throw new FieldError(`unknown field ${name}`);
    const canon = arg !== undefined ? `${name}[${arg}]` : name;
    return {
      name: canon,
      type,
      value: (e) => {
        this.calls++;
        return e[canon];
      },
      display: (e) => (e[canon] === undefined ? undefined : String(e[canon])),
    };
  }
  list() {
    return Object.entries(TYPES).map(([name, type]) => ({ name, type, arg: 'none' as const, desc: '' }));
  }
}

const reg = new FakeRegistry();
const f = (expr: string) => compileFilter(expr, reg);
const t = (expr: string, e: Ev): boolean => f(expr).test(e);

/** Asserts the expression fails with a message matching `msg` at 1-based `col`. */
function fails(expr: string, col: number, msg: RegExp): void {
  assert.throws(
    () => f(expr),
    (err: unknown) => {
      assert.ok(err instanceof FilterError, `expected FilterError, got ${String(err)}`);
      assert.match(err.message, msg);
      assert.equal(err.column, col, `column for ${JSON.stringify(expr)}: ${err.message}`);
      assert.equal(err.expr, expr);
      return true;
    },
  );
}

const curl: Ev = {
  'proc.name': 'curl',
  'proc.pname': 'bash',
  'proc.pid': 1234,
  'proc.aname': ['bash', 'sshd', 'systemd'],
  'proc.aname[1]': 'bash',
  'proc.aname[2]': 'sshd',
  'evt.type': 'open',
  'evt.dir': '<',
  'evt.rawres': -2,
  'evt.latency': 5000,
  'evt.rawtime': 1534527348518928110n,
  'evt.num': 523n,
  'evt.failed': true,
  'evt.cpu': 0,
  'evt.arg[0]': '3',
  'evt.arg.fd': '3(<f>/etc/passwd)',
  'evt.type.is.open': 1,
  'thread.cgroup.cpuacct': '/user.slice',
  'fd.name': '/etc/passwd',
  'fd.directory': '/etc',
  'thread.cpu': 12.5,
};

test('equality, == alias, != and basic boolean logic', () => {
  assert.equal(t('proc.name=curl', curl), true);
  assert.equal(t('proc.name==curl', curl), true);
  assert.equal(t('proc.name = curl', curl), true);
  assert.equal(t('proc.name!=curl', curl), false);
  assert.equal(t('proc.name=curl and evt.type=open', curl), true);
  assert.equal(t('proc.name=curl and evt.type=close', curl), false);
  assert.equal(t('proc.name=wget or evt.type=open', curl), true);
  assert.equal(t('not proc.name=wget', curl), true);
  assert.equal(t('not not proc.name=curl', curl), true);
  assert.equal(t('not (proc.name=curl and evt.type=open)', curl), false);
  assert.equal(t('not(proc.name=curl)', curl), false);
  assert.equal(t('(proc.name=curl)and(evt.type=open)', curl), true);
});

test('precedence: not > and > or; mixed and/or accepted', () => {
  // false and false or true → (false and false) or true → true
  assert.equal(t('proc.name=x and evt.type=y or evt.type=open', curl), true);
  // true or false and false → true or (false and false) → true (left-to-right would give false)
  assert.equal(t('proc.name=curl or evt.type=y and evt.type=z', curl), true);
  // not binds tighter than and: (not true) and true → false
  assert.equal(t('not proc.name=curl and evt.type=open', curl), false);
  assert.equal(t('(proc.name=curl or evt.type=y) and evt.type=z', curl), false);
  assert.equal(t('a.b.c.d=1 or proc.name=curl'.replace('a.b.c.d', 'proc.pid'), curl), true);
});

test('short-circuit evaluation', () => {
  const c = f('proc.name=wget and evt.type=open and fd.name=/x');
  reg.calls = 0;
  assert.equal(c.test(curl), false);
  assert.equal(reg.calls, 1);
  const o = f('proc.name=curl or evt.type=open or fd.name=/x');
  reg.calls = 0;
  assert.equal(o.test(curl), true);
  assert.equal(reg.calls, 1);
});

test('missing values: every operator is false, not of it is true, exists', () => {
  const e: Ev = { 'proc.name': 'curl' };
  for (const expr of ['fd.name=/x', 'fd.name!=/x', 'fd.name contains x', 'fd.name in (a,b)', 'fd.name exists', 'evt.rawres<0', 'evt.rawres!=0', 'fd.sip!=1.2.3.4']) {
    assert.equal(t(expr, e), false, expr);
    assert.equal(t(`not ${expr}`, e), true, `not ${expr}`);
  }
  assert.equal(t('proc.name exists', e), true);
  assert.equal(t('proc.name exists and not fd.name exists', e), true);
});

test('bare words with special characters', () => {
  assert.equal(t('fd.name=/etc/passwd', curl), true);
  assert.equal(t('evt.type!=switch', curl), true);
  assert.equal(t('fd.name glob /etc/*.conf', { 'fd.name': '/etc/ld.so.conf' }), true);
  assert.equal(t('evt.dir=<', curl), true);
  assert.equal(t('evt.dir = <', curl), true);
  assert.equal(t('evt.dir=>', curl), false);
  assert.equal(t('evt.dir!=>', curl), true);
  assert.equal(t('proc.name=a=b', { 'proc.name': 'a=b' }), true);
  assert.equal(t('proc.name=x:y!z?', { 'proc.name': 'x:y!z?' }), true);
  assert.equal(t('(fd.name=/etc/passwd)', curl), true);
});

test('quoted values and escapes', () => {
  assert.equal(t('proc.name="my prog"', { 'proc.name': 'my prog' }), true);
  assert.equal(t("proc.name='my prog'", { 'proc.name': 'my prog' }), true);
  assert.equal(t('proc.name="a\\"b"', { 'proc.name': 'a"b' }), true);
  assert.equal(t("proc.name='it\\'s'", { 'proc.name': "it's" }), true);
  assert.equal(t('proc.name="a\\\\b"', { 'proc.name': 'a\\b' }), true);
  assert.equal(t('proc.name="\\x41\\x42C"', { 'proc.name': 'ABC' }), true);
  assert.equal(t('proc.name="caf\\xc3\\xa9"', { 'proc.name': 'café' }), true);
  assert.equal(t('proc.name="a\\db"', { 'proc.name': 'a\\db' }), true); // unknown escapes kept
  assert.equal(t('proc.name="and"', { 'proc.name': 'and' }), true);
  assert.equal(t('proc.name in ("a b", \'c,d\', e)', { 'proc.name': 'c,d' }), true);
  assert.equal(t('proc.name=""', { 'proc.name': '' }), true);
});

test('field references: args, dotted args, dynamic names', () => {
  assert.equal(t('proc.aname[2]=sshd', curl), true);
  assert.equal(t('evt.arg[0]=3', curl), true);
  assert.equal(t('evt.arg.fd contains /etc/passwd', curl), true);
  assert.equal(t('evt.type.is.open=1', curl), true);
  assert.equal(t('thread.cgroup.cpuacct=/user.slice', curl), true);
  const c = f('proc.aname[2]=x or evt.arg.fd exists or proc.name=a or proc.name=b');
  assert.deepEqual(c.fields, ['proc.aname[2]', 'evt.arg.fd', 'proc.name']);
  assert.equal(c.source, 'proc.aname[2]=x or evt.arg.fd exists or proc.name=a or proc.name=b');
});

test('numeric fields', () => {
  assert.equal(t('evt.rawres<0', curl), true);
  assert.equal(t('evt.rawres < 0', curl), true);
  assert.equal(t('evt.rawres<=-2', curl), true);
  assert.equal(t('evt.rawres>-2', curl), false);
  assert.equal(t('evt.rawres>=-2', curl), true);
  assert.equal(t('evt.rawres=-2', curl), true);
  assert.equal(t('evt.rawres=ENOENT', curl), true);
  assert.equal(t('evt.rawres in (EPERM, ENOENT)', curl), true);
  assert.equal(t('evt.latency > 1000', curl), true);
  assert.equal(t('proc.pid=0x4d2', curl), true);
  assert.equal(t('proc.pid in (1, 2, 1234)', curl), true);
  assert.equal(t('proc.pid in (1, 2)', curl), false);
  assert.equal(t('proc.pid!=1234', curl), false);
  assert.equal(t('thread.cpu>12.25', curl), true);
  assert.equal(t('fd.sport=53', { 'fd.sport': 53 }), true);
  // numbers are compared as numbers, not text: 10 > 9
  assert.equal(t('proc.pid>9', { 'proc.pid': 10 }), true);
  assert.equal(t('proc.pid contains 23', curl), true); // text ops see the decimal form
});

test('bigint / abstime fields', () => {
  assert.equal(t('evt.rawtime=1534527348518928110', curl), true);
  assert.equal(t('evt.rawtime>1534527348518928109', curl), true);
  assert.equal(t('evt.rawtime<1534527348518928110', curl), false);
  assert.equal(t('evt.num=523', curl), true);
  assert.equal(t('evt.num in (1, 523)', curl), true);
  assert.equal(t('evt.num>100', { 'evt.num': 523 }), true); // accessor returning a plain number
  assert.equal(t('evt.num in (523)', { 'evt.num': 523 }), true);
});

test('bool fields', () => {
  assert.equal(t('evt.failed=true', curl), true);
  assert.equal(t('evt.failed=1', curl), true);
  assert.equal(t('evt.failed=false', curl), false);
  assert.equal(t('evt.failed!=0', curl), true);
  assert.equal(t('evt.failed=TRUE', curl), true);
});

test('string operators', () => {
  const e: Ev = { 'proc.name': 'NetworkManager', 'fd.name': '/etc/ssh/sshd_config' };
  assert.equal(t('proc.name contains work', e), true);
  assert.equal(t('proc.name contains WORK', e), false);
  assert.equal(t('proc.name icontains WORK', e), true);
  assert.equal(t('proc.name icontains "a.b"', { 'proc.name': 'xa.bx' }), true);
  assert.equal(t('proc.name icontains "a.b"', { 'proc.name': 'xaxbx' }), false); // no regex leak
  assert.equal(t('proc.name startswith Net', e), true);
  assert.equal(t('proc.name endswith Manager', e), true);
  assert.equal(t('proc.name endswith manager', e), false);
  assert.equal(t('fd.name glob /etc/*', e), true); // '*' crosses '/'
  assert.equal(t('fd.name glob /etc/*_config', e), true);
  assert.equal(t('fd.name glob /etc/ssh/sshd_confi?', e), true);
  assert.equal(t('fd.name glob /etc/ssh', e), false); // whole string
  assert.equal(t('fd.name glob /ETC/*', e), false);
  assert.equal(t('fd.name iglob /ETC/*', e), true);
  assert.equal(t('fd.name regex "ssh.*config"', e), true); // match anywhere
  assert.equal(t('fd.name regex "^ssh"', e), false);
  assert.equal(t('fd.name regex "(?i)SSHD"', e), true);
  assert.equal(t('fd.name regex "\\d"', { 'fd.name': 'a1' }), true);
  // lexicographic order on text fields
  assert.equal(t('proc.name<b', { 'proc.name': 'abc' }), true);
  assert.equal(t('proc.name>=10', { 'proc.name': '9' }), true);
  assert.equal(t('fd.l4proto=tcp', { 'fd.l4proto': 'tcp' }), true);
});

test('glob translation', () => {
  const g = (p: string, s: string) => globToRegExp(p, false).test(s);
  assert.equal(g('[abc]x', 'bx'), true);
  assert.equal(g('[abc]x', 'dx'), false);
  assert.equal(g('[!a-z]x', 'Ax'), true);
  assert.equal(g('[!a-z]x', 'qx'), false);
  assert.equal(g('[^a-z]x', 'Ax'), true);
  assert.equal(g('[]]', ']'), true);
  assert.equal(g('a[', 'a['), true); // unclosed class is literal
  assert.equal(g('a\\*', 'a*'), true);
  assert.equal(g('a\\*', 'ab'), false);
  assert.equal(g('a.b(c)+', 'a.b(c)+'), true);
  assert.equal(g('*', ''), true);
  assert.equal(g('?', ''), false);
  assert.equal(g('a*b*c', 'a/x/b/y/c'), true);
  assert.equal(g('x', 'line\nx'), false);
});

test('in, intersects, pmatch', () => {
  assert.equal(t('evt.type in (open,close)', curl), true);
  assert.equal(t('evt.type in ( close , open )', curl), true);
  assert.equal(t('evt.type in(read)', curl), false);
  assert.equal(t('evt.type in ()', curl), false);
  assert.equal(t('not evt.type in ()', curl), true);
  assert.equal(t('evt.type intersects (open)', curl), true);
  const many = Array.from({ length: 500 }, (_, i) => `p${i}`).join(',');
  assert.equal(t(`proc.name in (${many},curl)`, curl), true);
  assert.equal(t(`proc.name in (${many})`, curl), false);
  const p = (path: string, list: string) => t(`fd.name pmatch (${list})`, { 'fd.name': path });
  assert.equal(p('/etc', '/etc'), true);
  assert.equal(p('/etc/passwd', '/etc'), true);
  assert.equal(p('/etcx', '/etc'), false);
  assert.equal(p('/etc/passwd', '/usr, /etc/'), true);
  assert.equal(p('/usr/lib/x', '/etc, /usr/lib'), true);
  assert.equal(p('/usr/libexec', '/etc, /usr/lib'), false);
  assert.equal(p('/anything', '/'), true);
  assert.equal(p('relative', '/'), false);
});

test('list fields: any element matches, != means none equal', () => {
  assert.equal(t('proc.aname=sshd', curl), true);
  assert.equal(t('proc.aname=init', curl), false);
  assert.equal(t('proc.aname!=sshd', curl), false);
  assert.equal(t('proc.aname!=init', curl), true);
  assert.equal(t('proc.aname in (init, systemd)', curl), true);
  assert.equal(t('proc.aname intersects (init, systemd)', curl), true);
  assert.equal(t('proc.aname intersects (init, kthreadd)', curl), false);
  assert.equal(t('proc.aname contains ssh', curl), true);
  assert.equal(t('proc.aname startswith sys', curl), true);
  assert.equal(t('container.mounts exists', { 'container.mounts': [] }), true);
  assert.equal(t('container.mounts=x', { 'container.mounts': [] }), false);
});

test('IP addresses and networks', () => {
  const e: Ev = { 'fd.sip': '10.0.0.1', 'fd.cip': '2001:db8::1', 'fd.net': '192.168.1.20' };
  assert.equal(t('fd.sip=10.0.0.1', e), true);
  assert.equal(t('fd.sip=10.0.0.2', e), false);
  assert.equal(t('fd.sip!=10.0.0.2', e), true);
  assert.equal(t('fd.sip=::ffff:10.0.0.1', e), true);
  assert.equal(t('fd.sip=10.0.0.0/8', e), true);
  assert.equal(t('fd.sip=11.0.0.0/8', e), false);
  assert.equal(t('fd.sip in (1.1.1.1, 10.0.0.1)', e), true);
  assert.equal(t('fd.cip=2001:0db8:0:0:0:0:0:1', e), true);
  assert.equal(t('fd.cip=2001:db8::/32', e), true);
  assert.equal(t('fd.cip=2001:db9::/32', e), false);
  assert.equal(t('fd.net=192.168.0.0/16', e), true);
  assert.equal(t('fd.net=192.168.1.16/28', e), true);
  assert.equal(t('fd.net=192.168.1.0/28', e), false);
  assert.equal(t('fd.net=0.0.0.0/0', e), true);
  assert.equal(t('fd.net=10.0.0.0/8', e), false);
  assert.equal(t('fd.sip=10.0.0.1', { 'fd.sip': '::ffff:10.0.0.1' }), true);
  assert.equal(t('fd.sip=10.0.0.1', { 'fd.sip': 'garbage' }), false);
  assert.equal(t('fd.sip startswith 10.', e), true); // text ops on the address text
  fails('fd.sip=10.0.0.300', 8, /expected an IP address/);
  fails('fd.net=10.0.0.0/33', 8, /CIDR/);
  fails('fd.sip < 10.0.0.1', 8, /operator '<' cannot be used/);
});

test('allocation-free IP text parser agrees with util/net parseIp', () => {
  const out = Buffer.alloc(16);
  const cases = [
    '1.2.3.4', '255.255.255.255', '0.0.0.0', '::', '::1', '1::', '2001:db8::1', '2001:db8:0:0:1:0:0:1',
    'fe80::1:2:3:4:5:6', '::ffff:10.1.2.3', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
    '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', ':1', '1:', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1',
    '12345::1', '', 'a', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4',
  ];
  for (const s of cases) {
    const ref = parseIp(s);
    const ok = parseIpInto(s, out);
    assert.equal(ok, ref !== undefined, `validity of ${JSON.stringify(s)}`);
    if (ref) assert.deepEqual([...out], [...ref], s);
  }
});

test('byte buffers', () => {
  const e: Ev = { 'evt.buffer': Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n') };
  assert.equal(t('evt.buffer contains "HTTP/1.1"', e), true);
  assert.equal(t('evt.buffer contains "HTTP/2"', e), false);
  assert.equal(t('evt.buffer bcontains 48545450', e), true);
  assert.equal(t('evt.buffer bcontains 485454505f', e), false);
  assert.equal(t('evt.buffer bstartswith 474554', e), true);
  assert.equal(t('evt.buffer bstartswith 4854', e), false);
  assert.equal(t('evt.buffer startswith GET', e), true);
  assert.equal(t('evt.buffer endswith "\\x0d\\x0a"', e), true);
  assert.equal(t('evt.buffer icontains "host:"', e), true);
  assert.equal(t('evt.buffer icontains "hostx"', e), false);
  assert.equal(t('evt.buffer = "GET"', { 'evt.buffer': Buffer.from('GET') }), true);
  assert.equal(t('evt.buffer contains "\\xff\\x00"', { 'evt.buffer': Buffer.from([1, 0xff, 0, 2]) }), true);
  // bcontains on text fields
  assert.equal(t('proc.name bcontains 7572', curl), true); // "ur"
  assert.equal(t('proc.name bstartswith 6375', curl), true); // "cu"
  assert.equal(t('proc.name bcontains c3a9', { 'proc.name': 'café' }), true);
  fails('evt.buffer bcontains 4854545', 22, /hex byte string/);
  fails('evt.buffer bcontains xyz', 22, /hex byte string/);
});

test('val() compares two fields', () => {
  const e: Ev = { 'proc.name': 'bash', 'proc.pname': 'bash', 'proc.pid': 5, 'evt.cpu': 5, 'evt.rawres': 7 };
  assert.equal(t('proc.name=val(proc.pname)', e), true);
  assert.equal(t('proc.name!=val(proc.pname)', e), false);
  assert.equal(t('proc.pid=val(evt.cpu)', e), true);
  assert.equal(t('evt.rawres>val(proc.pid)', e), true);
  assert.equal(t('proc.name contains val(proc.pname)', e), true);
  assert.equal(t('proc.aname=val(proc.name)', { ...curl, 'proc.name': 'sshd' }), true);
  assert.equal(t('proc.name=val(fd.name)', e), false); // missing side
  const c = f('proc.name = val( proc.pname )');
  assert.deepEqual(c.fields, ['proc.name', 'proc.pname']);
  fails('proc.name glob val(proc.pname)', 11, /cannot take val/);
  fails('proc.name=val(proc.pname', 25, /expected '\)' to close 'val\('/);
});

test('transformers', () => {
  const e: Ev = { 'proc.name': 'CuRL', 'fd.name': '/usr/bin/ls', 'proc.pname': 'aGVsbG8=' };
  assert.equal(t('tolower(proc.name)=curl', e), true);
  assert.equal(t('toupper(proc.name)=CURL', e), true);
  assert.equal(t('basename(fd.name)=ls', e), true);
  assert.equal(t('len(fd.name)=11', e), true);
  assert.equal(t('len(fd.name)>20', e), false);
  assert.equal(t('b64(proc.pname)=hello', e), true);
  assert.equal(t('tolower(basename(fd.name)) in (ls, cat)', e), true);
  assert.equal(t('len(proc.aname)=3', curl), true);
  assert.equal(t('toupper(proc.aname)=SSHD', curl), true);
  assert.equal(f('tolower(proc.name)=x').fields.join(), 'proc.name');
  fails('len(fd.name)=abc', 14, /expected a number/);
  fails('tolower(proc.nme)=x', 9, /unknown field 'proc.nme'/);
  fails('tolower(proc.name=x', 18, /expected '\)' to close 'tolower\('/);
});

test('error messages and columns', () => {
  fails('', 1, /empty filter expression/);
  fails('   ', 4, /empty filter expression/);
  fails('proc.name=x and proc.nme=y', 17, /^unknown field 'proc.nme'$/);
  fails('proc.name=', 11, /expected value after '='/);
  fails('proc.name= ', 12, /expected value after '='/);
  fails('proc.name==', 12, /expected value after '=='/);
  fails('(proc.name=)', 12, /expected value after '='/);
  fails('proc.name contains', 19, /expected value after 'contains'/);
  fails('(proc.name=x', 1, /unbalanced parenthesis/);
  fails('proc.name=x and ((evt.type=open)', 17, /unbalanced parenthesis/);
  fails('proc.name=x)', 12, /unbalanced parenthesis/);
  fails('proc.name=x xyz', 13, /^unexpected token 'xyz'$/);
  fails('proc.name=x and', 16, /expected a field, 'not' or '\(' after 'and'/);
  fails('proc.name=x or not', 19, /after 'not'/);
  fails('()', 2, /expected a field/);
  fails('evt.type in open', 13, /expected '\(' after 'in'/);
  fails('evt.type pmatch', 16, /expected '\(' after 'pmatch'/);
  fails('evt.type in (open, close', 13, /unbalanced parenthesis/);
  fails('evt.type in (open close)', 19, /expected ',' or '\)'/);
  fails('evt.type in (open,)', 19, /expected value in list/);
  fails('evt.type in (open,,x)', 19, /expected value in list/);
  fails('proc.name', 10, /expected an operator after 'proc.name'/);
  fails('proc.name foo bar', 11, /unknown operator 'foo'/);
  fails('proc.name insider', 11, /unknown operator 'insider'/);
  fails('proc.name="abc', 11, /unterminated quoted string/);
  fails('proc.name="a\\xZZ"', 13, /invalid \\x escape/);
  fails('proc.aname[2=x', 11, /expected '\]'/);
  fails('evt.rawres<abc', 12, /expected a number for 'evt.rawres', got 'abc'/);
  fails('evt.rawres in (1, 2, x)', 22, /expected a number/);
  fails('evt.failed=maybe', 12, /expected true\/false/);
  fails('evt.rawtime>1.5', 13, /expected an integer/);
  fails('fd.name regex "a("', 15, /invalid regex/);
  fails('name=x', 1, /unknown field 'name'/);
  fails('proc.name=x and =y', 17, /unexpected token '=y'/);
  fails('not', 4, /after 'not'/);
  fails('proc.nme[2]=1', 1, /unknown field 'proc.nme\[2\]'/);
});

test('unknown-field errors carry the registry offset and non-FieldErrors propagate', () => {
  const r2: FieldRegistry<Ev> = {
    resolve(name: string) {
      if (name === 'evt.bad') throw new FieldError('argument must be a number', 4);
      if (name === 'evt.boom') throw new TypeError('boom');
      throw new FieldError(`unknown field ${name}`);
    },
    list: () => [],
  };
  assert.throws(() => compileFilter('x.y=1 or evt.bad=1', r2), (e: unknown) => e instanceof FilterError && e.column === 1);
  assert.throws(() => compileFilter('evt.bad=1', r2), (e: unknown) => e instanceof FilterError && e.column === 5 && /argument must be a number/.test(e.message));
  assert.throws(() => compileFilter('evt.boom=1', r2), TypeError);
});

test('formatFilterError draws a caret under the column', () => {
  try {
    f('proc.name=x and proc.nme=y');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof FilterError);
    assert.equal(
      formatFilterError(e),
      "filter error at column 17: unknown field 'proc.nme'\n  proc.name=x and proc.nme=y\n                  ^",
    );
  }
  const end = new FilterError('expected value', 11, 'proc.name=');
  assert.equal(formatFilterError(end), 'filter error at column 11: expected value\n  proc.name=\n            ^');
  const tab = new FilterError('x', 3, 'a\tbc');
  assert.equal(formatFilterError(tab), 'filter error at column 3: x\n  a bc\n    ^');
});

test('compiled filters are reusable across many events', () => {
  const c = f('proc.name in (curl, wget) and (evt.rawres<0 or fd.name pmatch (/etc))');
  let hits = 0;
  for (let i = 0; i < 10000; i++) if (c.test(i % 2 ? curl : { ...curl, 'proc.name': 'x' })) hits++;
  assert.equal(hits, 5000);
});
