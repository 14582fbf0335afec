// Minimal typings for the `cap` libpcap binding (0.2.x): only what src/net uses.
declare module 'cap' {
  import { EventEmitter } from 'node:events';
  export interface CapDevice {
    name: string;
    description?: string;
    addresses: Array<{ addr: string; netmask?: string; broadaddr?: string }>;
    flags?: string;
  }
  export class Cap extends EventEmitter {
    /** Returns the link type name: ETHERNET, LINUX_SLL, RAW, NULL, IEEE802_11_RADIO. */
    open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
    close(): boolean;
    send(buf: Buffer, len?: number): void;
    static deviceList(): CapDevice[];
    static findDevice(ip?: string): string | undefined;
    on(event: 'packet', cb: (nbytes: number, truncated: boolean) => void): this;
  }
}
