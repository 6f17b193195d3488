// The HTTP/2 receive window an EVX gRPC server advertises: grpc-js has no server option for it, so
// widenReceiveWindow sets it on every session; a plain HTTP/2 client reads what the server announced.
import { connect, type ClientHttp2Session, type Settings } from 'node:http2';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { widenReceiveWindow } from './grpc-microservice.js';

async function listening(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
}

/** The server's settings once they stop changing (the widened window comes in a second SETTINGS frame). */
async function announced(session: ClientHttp2Session): Promise<Settings> {
  await new Promise<void>((resolve) => session.once('remoteSettings', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return session.remoteSettings;
}

describe('widenReceiveWindow', () => {
  const open: { server: Server; session?: ClientHttp2Session }[] = [];
  afterEach(() => {
    for (const { server, session } of open.splice(0)) {
      session?.destroy();
      server.forceShutdown();
    }
  });

  it('makes every new session announce the given stream window', async () => {
    const server = new Server();
    const port = await listening(server);
    widenReceiveWindow(server, 1024 * 1024);
    const session = connect(`http://127.0.0.1:${port}`);
    open.push({ server, session });
    expect((await announced(session)).initialWindowSize).toBe(1024 * 1024);
  });

  it("leaves Node's default when the window asked for is not larger", async () => {
    const server = new Server();
    const port = await listening(server);
    widenReceiveWindow(server, 65_535);
    const session = connect(`http://127.0.0.1:${port}`);
    open.push({ server, session });
    expect((await announced(session)).initialWindowSize).toBe(65_535);
  });
});
