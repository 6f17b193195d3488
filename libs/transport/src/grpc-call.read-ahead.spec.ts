// limitReadAhead over a real grpc-js client stream: a call paused after its first message buffers grpc-js's default of
// 16 messages without it, the limit with it, and receives every message, in order, once resumed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Server, ServerCredentials, credentials, type ServerReadableStream } from '@grpc/grpc-js';
import { limitReadAhead } from './grpc-call.util.js';

const METHOD = '/evx.test.Upload/Send';
const bytes = (b: Buffer) => b;
const MESSAGES = 24;
const SIZE = 64 * 1024;

let server: Server;
let client: Client;
let limit: number | undefined;
let opened: (call: ServerReadableStream<Buffer, Buffer>) => void = () => undefined;

beforeAll(async () => {
  server = new Server();
  server.register(
    '/evx.test.Upload/Send',
    (call: ServerReadableStream<Buffer, Buffer>, callback: (error: null, response: Buffer) => void) => {
      if (limit !== undefined) limitReadAhead(call, limit);
      const received: number[] = [];
      // Flowing at first, as Nest reads a call; paused after the first message, as a handler waiting for its disk.
      call.on('data', (message: Buffer) => {
        if (received.push(message.readUInt32BE(0)) === 1) call.pause();
      });
      call.on('end', () => callback(null, Buffer.from(received.join(','))));
      opened(call);
    },
    bytes,
    bytes,
    'clientStream',
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
});

afterAll(() => {
  client.close();
  server.forceShutdown();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends MESSAGES numbered messages; the server pauses the call after the first. Waits (up to 5 s) until the server
 * buffers `expected` messages, then 150 ms more, and gives what it buffers then, and the whole answer once resumed.
 */
async function sendPaused(
  readAhead: number | undefined,
  expected: number,
): Promise<{ buffered: number; answer: string }> {
  limit = readAhead;
  const serverCall = new Promise<ServerReadableStream<Buffer, Buffer>>((resolve) => (opened = resolve));
  let settle!: { done: (r: string) => void; fail: (e: Error) => void };
  const answer = new Promise<string>((done, fail) => (settle = { done, fail }));
  const stream = client.makeClientStreamRequest<Buffer, Buffer>(METHOD, bytes, bytes, (e, r) =>
    e ? settle.fail(e) : settle.done(String(r)),
  );
  for (let i = 0; i < MESSAGES; i++) {
    const message = Buffer.alloc(SIZE);
    message.writeUInt32BE(i, 0);
    stream.write(message);
  }
  stream.end();
  const call = await serverCall;
  for (const deadline = Date.now() + 5_000; call.readableLength < expected && Date.now() < deadline;) await sleep(10);
  // More than `expected` would show up meanwhile: grpc-js keeps reading while the buffer is below its mark.
  await sleep(150);
  const buffered = call.readableLength;
  call.resume();
  return { buffered, answer: await answer };
}

const inOrder = Array.from({ length: MESSAGES }, (_, i) => i).join(',');

describe('limitReadAhead', () => {
  it("leaves grpc-js's default read-ahead of 16 messages when not applied (what the limit is for)", async () => {
    const sut = await sendPaused(undefined, 16);
    expect(sut.buffered).toBe(16);
    expect(sut.answer).toBe(inOrder);
  });

  it('keeps a paused call to the limit, and every message still arrives, in order, once resumed', async () => {
    const one = await sendPaused(1, 1);
    expect(one.buffered).toBe(1);
    expect(one.answer).toBe(inOrder);
    const four = await sendPaused(4, 4);
    expect(four.buffered).toBe(4);
    expect(four.answer).toBe(inOrder);
  });

  it('is a no-op for an object without a stream state', () => {
    expect(() => limitReadAhead({})).not.toThrow();
  });
});
