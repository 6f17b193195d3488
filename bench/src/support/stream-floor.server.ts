// The floor of the ingest figure, run as processes like the services: bare grpc-js client streams over the same
// mutual TLS, with nothing of EVX in them. BENCH_FLOOR_ROLE=sink hashes every message and writes it to one file,
// fsyncs it at the end and answers with the byte count; BENCH_FLOOR_ROLE=relay forwards each message to the sink
// (BENCH_FLOOR_NEXT) with backpressure (at most 4 MiB not yet sent), as provider-edge forwards records to the vault. What the path adapter →
// provider-edge → vault costs without protobuf, checks, records, group commits or the package build. The transport
// settings are the services' (a 1 MiB HTTP/2 window, libs/transport `widenReceiveWindow`; one message read ahead
// while paused, `limitReadAhead`), set here without loading EVX's modules: a lean process, as a floor should be.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  Client,
  Server,
  ServerCredentials,
  credentials,
  type ServerReadableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { ServerHttp2Session } from 'node:http2';

const identity = (b: Buffer): Buffer => b;

export const FLOOR_METHOD = '/evx.bench.Floor/Upload';

/** One client-streaming method, raw bytes in, the byte count (decimal) out. */
export const FLOOR_SERVICE: ServiceDefinition = {
  upload: {
    path: FLOOR_METHOD,
    requestStream: true,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** Messages up to 4 MiB (EVX's chunks are at most 1 MiB), as the services allow. */
export const FLOOR_CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': 4 * 1024 * 1024 + 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024 + 1024,
};

type Callback = (error: Error | null, value?: Buffer) => void;

const WINDOW_BYTES = 1024 * 1024;

/** As libs/transport `limitReadAhead`: one message buffered while the call is paused, not grpc-js's 16. */
function readOneAhead(call: object): void {
  const state = (call as { _readableState?: { highWaterMark?: number } })._readableState;
  if (state) state.highWaterMark = 1;
}

function sink(dir: string) {
  let n = 0;
  return (call: ServerReadableStream<Buffer, Buffer>, callback: Callback) => {
    const file = join(dir, `floor-${process.pid}-${n++}.bin`);
    readOneAhead(call);
    const fd = openSync(file, 'w');
    let open = true;
    const close = () => {
      if (open) closeSync(fd);
      open = false;
    };
    const hash = createHash('sha256');
    let bytes = 0;
    call.on('data', (message: Buffer) => {
      hash.update(message);
      writeSync(fd, message);
      bytes += message.length;
    });
    call.on('error', close);
    call.on('cancelled', close);
    call.on('end', () => {
      fsyncSync(fd);
      close();
      hash.digest();
      callback(null, Buffer.from(String(bytes)));
    });
  };
}

/** As provider-edge's bound on what it has not yet sent to the vault (vault-packages.ts). */
const UNSENT_LIMIT_BYTES = 4 * 1024 * 1024;

function relay(next: Client) {
  return (call: ServerReadableStream<Buffer, Buffer>, callback: Callback) => {
    readOneAhead(call);
    const out = next.makeClientStreamRequest(FLOOR_METHOD, identity, identity, (error, value) =>
      error ? callback(error) : callback(null, value),
    );
    let unsent = 0;
    let paused = false;
    const resume = () => {
      if (!paused || unsent > UNSENT_LIMIT_BYTES / 2 || out.writableNeedDrain) return;
      paused = false;
      call.resume();
    };
    call.on('data', (message: Buffer) => {
      unsent += message.length;
      const room = out.write(message, () => {
        unsent -= message.length;
        resume();
      });
      if ((!room || unsent > UNSENT_LIMIT_BYTES) && !paused) {
        paused = true;
        call.pause();
      }
    });
    out.on('drain', resume);
    call.on('end', () => out.end());
    call.on('error', () => out.cancel());
    call.on('cancelled', () => out.cancel());
  };
}

async function main(): Promise<void> {
  const pki = process.env.EVX_CERTS_DIR as string;
  const port = Number(process.env.BENCH_FLOOR_PORT);
  const roots = Buffer.concat(
    ['authority', 'provider', 'service'].flatMap((domain) =>
      ['root.crt', 'ca.crt'].map((file) => readFileSync(join(pki, domain, file))),
    ),
  );
  const own = (name: string) => ({
    cert_chain: readFileSync(join(pki, 'services', `${name}.crt`)),
    private_key: readFileSync(join(pki, 'services', `${name}.key`)),
  });
  const server = new Server(FLOOR_CHANNEL_OPTIONS);
  let handler: unknown;
  if (process.env.BENCH_FLOOR_ROLE === 'relay') {
    const key = own('provider-edge');
    const next = new Client(
      `localhost:${process.env.BENCH_FLOOR_NEXT}`,
      credentials.createSsl(readFileSync(join(pki, 'service', 'root.crt')), key.private_key, key.cert_chain),
      FLOOR_CHANNEL_OPTIONS,
    );
    handler = relay(next);
  } else {
    handler = sink(process.env.BENCH_FLOOR_DIR as string);
  }
  server.addService(FLOOR_SERVICE, { upload: handler } as UntypedServiceImplementation);
  const name = process.env.BENCH_FLOOR_ROLE === 'relay' ? 'provider-edge' : 'vault';
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createSsl(roots, [own(name)], true), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  const listeners = (server as unknown as { http2Servers?: Map<NodeJS.EventEmitter, unknown> }).http2Servers;
  for (const listener of listeners?.keys() ?? []) {
    listener.on('session', (session: ServerHttp2Session) => {
      session.settings({ initialWindowSize: WINDOW_BYTES });
      session.setLocalWindowSize(WINDOW_BYTES);
    });
  }
  process.send?.({ type: 'bench-ready' });
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
}

if (process.env.BENCH_FLOOR_ROLE) void main();
