import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFormat } from '../src/output/format-parse';
import { FilterError, formatFilterError } from '../src/filter';

const lit = (text: string) => ({ kind: 'lit', text });

test('default format with leading *', () => {
  const p = parseFormat('*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info');
  assert.equal(p.printAll, true);
  assert.deepEqual(p.tokens, [
    { kind: 'field', name: 'evt.num', column: 3 },
    lit(' '),
    { kind: 'field', name: 'evt.outputtime', column: 12 },
    lit(' '),
    { kind: 'field', name: 'evt.cpu', column: 28 },
    lit(' '),
    { kind: 'field', name: 'proc.name', column: 37 },
    lit(' ('),
    { kind: 'field', name: 'thread.tid', column: 49 },
    lit(') '),
    { kind: 'field', name: 'evt.dir', column: 62 },
    lit(' '),
    { kind: 'field', name: 'evt.type', column: 71 },
    lit(' '),
    { kind: 'field', name: 'evt.info', column: 81 },
  ]);
});

test('no * means printAll false; plain text only', () => {
  assert.deepEqual(parseFormat('%evt.num'), { printAll: false, tokens: [{ kind: 'field', name: 'evt.num', column: 2 }] });
  assert.deepEqual(parseFormat('hello'), { printAll: false, tokens: [lit('hello')] });
  assert.deepEqual(parseFormat(''), { printAll: false, tokens: [] });
  assert.deepEqual(parseFormat('*'), { printAll: true, tokens: [] });
  assert.deepEqual(parseFormat('a*b').tokens, [lit('a*b')]); // only a leading * counts
});

test('width and alignment', () => {
  const p = parseFormat('%12proc.name|%6evt.type|%-8fd.num');
  assert.deepEqual(p.tokens, [
    { kind: 'field', name: 'proc.name', width: 12, column: 4 },
    lit('|'),
    { kind: 'field', name: 'evt.type', width: 6, column: 16 },
    lit('|'),
    { kind: 'field', name: 'fd.num', width: 8, leftAlign: true, column: 28 },
  ]);
});

test('arguments: bracket and dotted', () => {
  const p = parseFormat('%proc.aname[1] %evt.arg[0] %evt.arg.name %k8s.pod.label[app.kubernetes.io/name]x');
  assert.deepEqual(p.tokens, [
    { kind: 'field', name: 'proc.aname', arg: '1', column: 2 },
    lit(' '),
    { kind: 'field', name: 'evt.arg', arg: '0', column: 17 },
    lit(' '),
    { kind: 'field', name: 'evt.arg.name', column: 29 },
    lit(' '),
    { kind: 'field', name: 'k8s.pod.label', arg: 'app.kubernetes.io/name', column: 43 },
    lit('x'),
  ]);
});

test('field names end at the first non-name character; trailing dots are literal', () => {
  const p = parseFormat('(%proc.pid.%thread.tid) %proc.name. %fd.name:%fd.sport');
  assert.deepEqual(p.tokens, [
    lit('('),
    { kind: 'field', name: 'proc.pid', column: 3 },
    lit('.'),
    { kind: 'field', name: 'thread.tid', column: 13 },
    lit(') '),
    { kind: 'field', name: 'proc.name', column: 26 },
    lit('. '),
    { kind: 'field', name: 'fd.name', column: 38 },
    lit(':'),
    { kind: 'field', name: 'fd.sport', column: 47 },
  ]);
  assert.deepEqual(parseFormat('%a.b..[x]').tokens, [{ kind: 'field', name: 'a.b', column: 2 }, lit('..[x]')]);
});

test('%% is a literal percent and literals are merged', () => {
  assert.deepEqual(parseFormat('100%% of %proc.name%%').tokens, [
    lit('100% of '),
    { kind: 'field', name: 'proc.name', column: 11 },
    lit('%'),
  ]);
});

test('syntax errors carry columns', () => {
  const bad = (fmt: string, col: number, msg: RegExp) =>
    assert.throws(
      () => parseFormat(fmt),
      (e: unknown) => e instanceof FilterError && e.column === col && msg.test(e.message) && e.kind === 'format' && e.expr === fmt,
      fmt,
    );
  bad('abc %', 5, /expected a field name/);
  bad('*%evt.num %', 11, /expected a field name/);
  bad('a % b', 3, /expected a field name/);
  bad('%12', 1, /expected a field name/);
  bad('%-x.y', 3, /expected a width/);
  bad('%!x', 1, /expected a field name/);
  bad('%proc.aname[1', 12, /expected '\]'/);
  try {
    parseFormat('x %');
  } catch (e) {
    assert.ok(e instanceof FilterError);
    assert.equal(formatFilterError(e), "format error at column 3: expected a field name after '%' at the end of the format\n  x %\n    ^");
  }
});
