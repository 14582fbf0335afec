// Small helpers shared by the event parsers.
import { ScapEvent } from '../../events/event';

export function param(e: ScapEvent, name: string): number {
  const i = e.info.paramIndex.get(name);
  return i !== undefined && i < e.paramCount ? i : -1;
}

export function intParam(e: ScapEvent, name: string): number | undefined {
  const i = param(e, name);
  return i >= 0 ? e.int(i) : undefined;
}

export function strParam(e: ScapEvent, name: string): string | undefined {
  const i = param(e, name);
  return i >= 0 ? e.str(i) : undefined;
}

export function bytesParam(e: ScapEvent, name: string): Buffer | undefined {
  const i = param(e, name);
  return i >= 0 ? e.bytes(i) : undefined;
}

export function splitNul(b: Buffer | undefined): string[] {
  if (!b || b.length === 0) return [];
  const parts = b.toString('latin1').split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
