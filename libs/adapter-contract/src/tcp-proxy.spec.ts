import { createServer, connect, type Server, type Socket } from 'node:net';
import { TcpProxy, splitAddress } from './tcp-proxy.js';

/** An echo server standing in for provider-edge. */
async function echoServer(): Promise<{ server: Server; address: string }> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return { server, address: `127.0.0.1:${port}` };
}

function open(address: string): Promise<Socket> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d.toString()));
    socket.write(text);
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

describe('TcpProxy', () => {
  let echo: { server: Server; address: string };
  let sut: TcpProxy;

  beforeEach(async () => {
    echo = await echoServer();
    sut = await new TcpProxy({ target: echo.address }).start();
  });

  afterEach(async () => {
    await sut.close();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  it('forwards both ways and counts what the client sends', async () => {
    const client = await open(sut.address);
    expect(await roundTrip(client, 'hello')).toBe('hello');
    expect(sut.upstreamBytes).toBe(5);
    expect(sut.connections).toBe(1);
    client.destroy();
  });

  it('resolves upstreamGrows only once that many more bytes went through', async () => {
    const client = await open(sut.address);
    let grown = false;
    const growing = sut.upstreamGrows(8).then(() => (grown = true));
    await roundTrip(client, 'abcd');
    expect(grown).toBe(false);
    await roundTrip(client, 'efgh');
    await growing;
    expect(grown).toBe(true);
    client.destroy();
  });

  it('cut drops open connections and refuses new ones for a while, then accepts again', async () => {
    const client = await open(sut.address);
    await roundTrip(client, 'x');
    const gone = closed(client);
    expect(sut.cut(300)).toBe(1);
    await gone;
    expect(sut.cutConnections).toBe(1);

    const refused = await open(sut.address);
    await closed(refused);
    expect(sut.connections).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 350));
    const again = await open(sut.address);
    expect(await roundTrip(again, 'back')).toBe('back');
    expect(sut.connections).toBe(2);
    again.destroy();
  });

  it('refuses a target that is not host:port', () => {
    expect(() => splitAddress('localhost')).toThrow('is not host:port');
    expect(splitAddress('localhost:50052')).toEqual(['localhost', 50052]);
  });
});
