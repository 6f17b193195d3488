import { createServer } from 'node:net';

/** Ports handed out by this process, so two services started together never get the same one. */
const handedOut = new Set<number>();

/** Below Linux's default ephemeral range (32768-60999), so no outgoing connection takes the port before the bind. */
const LOW = 20000;
const HIGH = 32000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port free right now on 127.0.0.1, for a server that binds it a moment later (tests, benchmarks, the contract
 * kit's stack). An OS-chosen port (listen on 0) is in the ephemeral range, where the client side of any outgoing
 * connection made in between can take it (EADDRINUSE at the bind): so pick outside that range, and check.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // reserved before the check, so concurrent callers never get the same port
    if (await canBind(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} after 500 tries`);
}
