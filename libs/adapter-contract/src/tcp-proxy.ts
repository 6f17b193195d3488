// A TCP proxy the kit puts between the adapter under test and provider-edge. It sees only TLS bytes, which is all
// it needs: it counts what the adapter sends, so the kit can cut every connection in the middle of an upload (the
// generic way to test reconnect and resume without any help from the adapter), and it can refuse new connections
// for a while, as a network outage would.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxyOptions {
  /** Where provider-edge listens, host:port. */
  readonly target: string;
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /**
   * Host name the adapter is told to dial; default localhost, which EVX's dev server certificates name (TLS server
   * names must not be IP addresses, RFC 6066).
   */
  readonly advertisedHost?: string;
}

interface Waiter {
  readonly bytes: number;
  readonly resolve: () => void;
}

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<Waiter>();
  private refuseUntil = 0;
  private server?: Server;
  private connected!: () => void;
  /** Resolves when the adapter first connects. */
  readonly firstConnection = new Promise<void>((resolve) => (this.connected = resolve));
  /** Bytes the adapter has sent towards provider-edge, over every connection. */
  upstreamBytes = 0;
  /** Connections accepted so far (a reconnect shows up as a new one). */
  connections = 0;
  /** Connections cut by `cut()`. */
  cutConnections = 0;

  constructor(private readonly options: TcpProxyOptions) {}

  /** host:port the adapter must connect to. */
  get address(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the proxy is not listening');
    return `${this.options.advertisedHost ?? 'localhost'}:${address.port}`;
  }

  async start(port = 0): Promise<this> {
    const [targetHost, targetPort] = splitAddress(this.options.target);
    this.server = createServer((client) => this.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return this;
  }

  /**
   * Drops every open connection at once, both directions, and refuses new ones for `refuseForMs`: to the adapter
   * this is a network failure in the middle of whatever it was doing.
   */
  cut(refuseForMs = 0): number {
    this.refuseUntil = Date.now() + refuseForMs;
    let cut = 0;
    for (const socket of this.sockets) {
      if (!socket.destroyed) cut += 1;
      socket.destroy();
    }
    this.sockets.clear();
    this.cutConnections += Math.ceil(cut / 2);
    return Math.ceil(cut / 2);
  }

  /** Resolves once the adapter has sent `bytes` more bytes (counted from now) towards provider-edge. */
  upstreamGrows(bytes: number): Promise<void> {
    return this.upstreamReaches(this.upstreamBytes + bytes);
  }

  /** Resolves once `upstreamBytes` reaches `target`. */
  upstreamReaches(target: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = { bytes: target, resolve };
      this.waiters.add(waiter);
      this.notify();
    });
  }

  async close(): Promise<void> {
    this.cut();
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket, targetHost: string, targetPort: number): void {
    if (Date.now() < this.refuseUntil) {
      client.destroy();
      return;
    }
    this.connections += 1;
    this.connected();
    const upstream = connect(targetPort, targetHost);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      this.upstreamBytes += chunk.length;
      this.notify();
    });
    // pipe() carries backpressure both ways, so the proxy never buffers an upload in memory.
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private notify(): void {
    for (const waiter of this.waiters) {
      if (this.upstreamBytes >= waiter.bytes) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

export function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${address}" is not host:port`);
  return [address.slice(0, at), port];
}
