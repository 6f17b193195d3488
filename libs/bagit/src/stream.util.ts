// Back-pressure for tar-stream's streams (streamx, not node:stream): wait for 'drain' after a refused write.
import type { EventEmitter } from 'node:events';

interface DrainableStream extends Pick<EventEmitter, 'on' | 'off'> {
  readonly destroying: boolean;
}

/** True once `stream` takes data again; false if it is, or gets, destroyed first (then nothing else will come). */
export function drained(stream: DrainableStream): Promise<boolean> {
  if (stream.destroying) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const settle = (result: boolean) => (): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      resolve(result);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}
