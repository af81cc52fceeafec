// A response that hits backpressure many times keeps no listener per wait.
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { drained } from './drain.js';

it('leaves no drain or close listener behind after each wait', async () => {
  let counts: number[] = [];
  const server = createServer((_req, res) => {
    void (async () => {
      const chunk = Buffer.alloc(256 * 1024, 'x');
      let waits = 0;
      while (waits < 20) {
        if (!res.write(chunk)) {
          await drained(res);
          waits++;
          counts = [res.listenerCount('close'), res.listenerCount('drain')];
        }
      }
      res.end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const before = await new Promise<number>((resolve) => {
    get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(counts[0] ?? -1));
    });
  });
  server.close();
  // Node's own 'close' listeners on a ServerResponse are at most a couple; one per wait would be 20+.
  expect(before).toBeLessThan(3);
  expect(counts[1]).toBe(0);
});
