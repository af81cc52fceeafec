// A streamed response (watch, logs) that hit backpressure waits for 'drain' or 'close', whichever
// comes first, and removes the other listener: a long watch drains many times, and a 'close'
// listener left behind per wait piled up (MaxListenersExceededWarning in the chaos rounds).
import type { ServerResponse } from 'node:http';

export function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
