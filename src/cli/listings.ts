// -l (fields) and -L (events) listings.
import { fieldRegistry } from '../fields';
import { EVENTS, EF, PT_NAMES } from '../events/table';

export function listFields(verbose: boolean): void {
  const byClass = new Map<string, Array<{ name: string; type: string; desc: string; arg: string }>>();
  for (const f of fieldRegistry().list()) {
    const cls = f.name.split('.')[0]!;
    const l = byClass.get(cls) ?? [];
    l.push(f);
    byClass.set(cls, l);
  }
  let out = '';
  for (const [cls, list] of byClass) {
    out += `\n----------------------\nField Class: ${cls}\n\n`;
    for (const f of list) {
      const name = f.arg === 'none' ? f.name : `${f.name}[${f.arg === 'required' ? 'ARG' : '(ARG)'}]`;
      out += `${name.padEnd(24)} ${verbose ? `(${f.type}) ` : ''}${f.desc}\n`;
    }
  }
  process.stdout.write(out.slice(1));
}

export function listEvents(): void {
  let out = '';
  for (const e of EVENTS) {
    if (e.flags & (EF.UNUSED | EF.OLD_VERSION)) continue;
    const args = e.params.map((p) => `${PT_NAMES[p.type]} ${p.name}`).join(', ');
    out += `${e.dir === 0 ? '>' : '<'} ${e.name}(${args})\n`;
  }
  process.stdout.write(out);
}
