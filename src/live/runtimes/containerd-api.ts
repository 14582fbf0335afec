// The few containerd API messages tsdig reads (namespaces, containers, events), as a protobufjs
// JSON schema written from containerd's .proto files (field numbers are the wire contract; fields
// tsdig does not need are left out and skipped on decode), and a minimal gRPC client over the
// daemon's unix socket on @grpc/grpc-js. Loaded only when a containerd socket exists.
import type * as GrpcT from '@grpc/grpc-js';
import type * as ProtoT from 'protobufjs';

const str = (id: number) => ({ type: 'string', id });
const labels = (id: number) => ({ keyType: 'string', type: 'string', id });

const SCHEMA = {
  nested: {
    google: { nested: { protobuf: { nested: {
      Any: { fields: { type_url: str(1), value: { type: 'bytes', id: 2 } } },
      Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    } } } },
    ctrd: { nested: {
      ListNamespacesRequest: { fields: { filter: str(1) } },
      Namespace: { fields: { name: str(1), labels: labels(2) } },
      ListNamespacesResponse: { fields: { namespaces: { rule: 'repeated', type: 'Namespace', id: 1 } } },
      Runtime: { fields: { name: str(1) } },
      Container: { fields: { id: str(1), labels: labels(2), image: str(3), runtime: { type: 'Runtime', id: 4 } } },
      GetContainerRequest: { fields: { id: str(1) } },
      GetContainerResponse: { fields: { container: { type: 'Container', id: 1 } } },
      ListContainersRequest: { fields: { filters: { rule: 'repeated', type: 'string', id: 1 } } },
      ListContainersResponse: { fields: { containers: { rule: 'repeated', type: 'Container', id: 1 } } },
      SubscribeRequest: { fields: { filters: { rule: 'repeated', type: 'string', id: 1 } } },
      Envelope: { fields: { timestamp: { type: 'google.protobuf.Timestamp', id: 1 }, namespace: str(2), topic: str(3), event: { type: 'google.protobuf.Any', id: 4 } } },
      // the payloads of the topics tsdig follows: every one starts with the container id
      // (field 1 is the container id — TaskStart, TaskExit, TaskDelete, ContainerCreate/Update/Delete —
      // or the namespace name; decoding with only field 1 declared skips the rest, whatever its type)
      Subject: { fields: { subject: str(1) } },
      TaskExit: { fields: { container_id: str(1), id: str(2) } },
    } },
  },
};

export interface CtrdContainer {
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime?: { name: string };
}

export interface CtrdEnvelope {
  namespace: string;
  topic: string;
  event?: { type_url: string; value: Uint8Array };
}

const SVC = '/containerd.services';

export class ContainerdClient {
  private readonly grpc: typeof GrpcT;
  private readonly root: ProtoT.Root;
  private readonly client: GrpcT.Client;

  constructor(socketPath: string, private readonly timeoutMs: number) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    this.grpc = require('@grpc/grpc-js') as typeof GrpcT;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const pb = require('protobufjs') as typeof ProtoT;
    this.root = pb.Root.fromJSON(SCHEMA);
    this.client = new this.grpc.Client(`unix://${socketPath}`, this.grpc.credentials.createInsecure(), { 'grpc.default_authority': 'localhost' });
  }

  close(): void {
    this.client.close();
  }

  private type(name: string): ProtoT.Type {
    return this.root.lookupType(`ctrd.${name}`);
  }

  private codec<Req, Res>(req: string, res: string) {
    const rq = this.type(req);
    const rs = this.type(res);
    return {
      ser: (o: Req) => Buffer.from(rq.encode(rq.fromObject(o as object)).finish()),
      de: (b: Buffer) => rs.toObject(rs.decode(b), { defaults: true, longs: String }) as Res,
    };
  }

  private meta(ns?: string): GrpcT.Metadata {
    const md = new this.grpc.Metadata();
    if (ns) md.set('containerd-namespace', ns);
    return md;
  }

  private unary<Req, Res>(method: string, req: string, res: string, arg: Req, ns?: string): Promise<Res> {
    const { ser, de } = this.codec<Req, Res>(req, res);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(method, ser, de, arg, this.meta(ns), { deadline: Date.now() + this.timeoutMs }, (err, v) => (err ? reject(err) : resolve(v as Res)));
    });
  }

  async namespaces(): Promise<string[]> {
    const r = await this.unary<object, { namespaces: Array<{ name: string }> }>(`${SVC}.namespaces.v1.Namespaces/List`, 'ListNamespacesRequest', 'ListNamespacesResponse', {});
    return r.namespaces.map((n) => n.name);
  }

  async containers(ns: string): Promise<CtrdContainer[]> {
    const r = await this.unary<object, { containers: CtrdContainer[] }>(`${SVC}.containers.v1.Containers/List`, 'ListContainersRequest', 'ListContainersResponse', {}, ns);
    return r.containers;
  }

  async container(ns: string, id: string): Promise<CtrdContainer | undefined> {
    const r = await this.unary<object, { container?: CtrdContainer }>(`${SVC}.containers.v1.Containers/Get`, 'GetContainerRequest', 'GetContainerResponse', { id }, ns);
    return r.container;
  }

  /** The event stream (all namespaces); the caller cancels it. */
  subscribe(filters: string[], onEvent: (e: CtrdEnvelope) => void, onEnd: (err: Error) => void): { cancel(): void } {
    const { ser, de } = this.codec<object, CtrdEnvelope>('SubscribeRequest', 'Envelope');
    const call = this.client.makeServerStreamRequest(`${SVC}.events.v1.Events/Subscribe`, ser, de, { filters }, this.meta(), {});
    let ended = false;
    const end = (e: Error) => {
      if (ended) return;
      ended = true;
      onEnd(e);
    };
    call.on('data', (e: CtrdEnvelope) => onEvent(e));
    call.on('error', (e: Error) => end(e));
    call.on('end', () => end(new Error('event stream closed')));
    return { cancel: () => { ended = true; call.cancel(); } };
  }

  /** The container id (or namespace name) an event is about: field 1 of every payload tsdig follows. */
  eventSubject(e: CtrdEnvelope): string {
    if (!e.event?.value) return '';
    const t = this.type('Subject');
    try {
      return String((t.toObject(t.decode(e.event.value), { defaults: true }) as { subject: string }).subject);
    } catch {
      return '';
    }
  }

  /** For /tasks/exit: the exec id ('' or the container id = the task's init process). */
  exitExecId(e: CtrdEnvelope): string {
    const t = this.type('TaskExit');
    try {
      return String((t.toObject(t.decode(e.event!.value), { defaults: true }) as { id: string }).id);
    } catch {
      return '';
    }
  }
}
