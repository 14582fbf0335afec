// The contract between field extractors (src/fields) and their consumers: the filter compiler
// (src/filter), the -p/-j formatter (src/output) and chisels. A field is resolved once, when a
// filter or format is compiled, into a FieldAccessor; the per-event path then only calls value()
// or display() — no lookups by name, no per-event objects.

/** How a field's values compare and print. Mirrors sysdig's PT_* types, folded to what matters. */
export type FieldType =
  | 'string' // CHARBUF, FSPATH…: compared as strings
  | 'int' // signed/unsigned integers, ERRNO, PID, FD, UID…: compared as numbers
  | 'bigint' // 64-bit values that can exceed 2^53 (evt.rawtime, …): bigint values
  | 'reltime' // durations in ns (number)
  | 'abstime' // absolute times in ns since epoch (bigint)
  | 'double'
  | 'bool' // booleans: value() returns true/false
  | 'bytes' // BYTEBUF: value() returns a Buffer
  | 'ipaddr' // value() returns a string form: "1.2.3.4" or an IPv6 text; compared as addresses / against CIDR nets
  | 'ipnet'
  | 'port' // number
  | 'l4proto' // string "tcp", "udp", …
  | 'list'; // a list of strings (e.g. proc.aname when no index, container.mounts): value() returns string[]

export type FieldValue = string | number | bigint | boolean | Buffer | string[] | undefined;

export interface FieldAccessor<E = unknown> {
  /** Canonical name as written, e.g. "proc.aname[2]" or "evt.arg.fd". */
  readonly name: string;
  readonly type: FieldType;
  /** The value for comparisons; undefined when the field does not apply to this event (sysdig's "<NA>"). */
  value(e: E): FieldValue;
  /** The text -p/-j print; undefined when unavailable (printed as <NA>). */
  display(e: E): string | undefined;
  /** Optional fast form of `= / in` against plain text values (evt.type: a table by event type). */
  readonly oneOf?: (texts: string[]) => (e: E) => boolean;
}

/** Thrown (or returned) when a field name cannot be resolved. `offset` is relative to the name. */
export class FieldError extends Error {
  constructor(message: string, readonly offset = 0) {
    super(message);
    this.name = 'FieldError';
  }
}

export interface FieldInfo {
  name: string;
  type: FieldType;
  /** 'none' = plain field; 'required'/'optional' = takes an argument: `name[arg]` or `name.arg` */
  arg: 'none' | 'required' | 'optional';
  desc: string;
}

export interface FieldRegistry<E = unknown> {
  /**
   * Resolve a field reference. `arg` is the text inside [..] when given in bracket form
   * (e.g. proc.aname[2] → name "proc.aname", arg "2"); dotted args (evt.arg.fd, evt.type.is.open)
   * arrive as part of `name`. Throws FieldError when unknown.
   */
  resolve(name: string, arg?: string): FieldAccessor<E>;
  /** Every field, for -l / -L listings and error suggestions. */
  list(): FieldInfo[];
}
