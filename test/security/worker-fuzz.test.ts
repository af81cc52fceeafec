// Property-based fuzzing (fast-check) of every worker message type against a real control plane:
// frames built from valid values mixed with hostile ones (NUL, lone surrogates, huge numbers,
// wrong types, unknown fields, other workers' jobs, raw non-JSON text), sent by a registered
// worker and by unauthenticated connections. Properties: no INTERNAL error and no abnormal close
// (no crash reached the store or the handler), every INVALID_MESSAGE names a field and a rule,
// the control plane still serves afterwards, and no seeded secret appears in its logs or events.
// ≥ 10,000 cases per run in total, split over the store engines under test.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/gateway/protocol.js';
import { parseWorkerMessage } from '../../src/gateway/validate.js';
import { TEST_ENGINES } from '../support/store/fresh.js';
import { poll } from '../support/wait.js';
import type { RawClient } from '../support/gateway/raw-client.js';
import { handWorker, rejectedEvents, resume, securityServerForTests, type HandWorker, type SecurityServer } from './worker-support.js';

const TOTAL_CASES = Number(process.env.HODEI_FUZZ_CASES ?? 10_000);
const MARKER = 'FUZZ-SECRET-5e1f';
const SENTINEL_SEQ = 2 ** 31 - 1;
/** Frames per property run; most leave the connection open and go in one burst. */
const BURST = 50;
const PER_ENGINE = Math.ceil(TOTAL_CASES / TEST_ENGINES.length / BURST) * BURST;
const REGISTERED_CASES = Math.round((PER_ENGINE * 0.6) / BURST) * BURST;

/** Close codes that mean "refused on purpose": protocol (4000), unauthorized (4001), WebSocket 1007/1009. */
const DELIBERATE_CLOSES = new Set([4000, 4001, 4003, 1007, 1009]);

interface Targets { own: HandWorker; victim: HandWorker }

function arbitraries(t: () => Targets) {
  const hostileText = (marked: boolean) => fc.oneof(
    fc.string({ maxLength: 24 }),
    fc.string({ unit: 'binary', maxLength: 24 }),
    fc.constantFrom('', '\0', 'a\0b', '\ud800', 'x\udc00', '\udbff\udfff', 'x'.repeat(5000)),
    ...(marked ? [fc.string({ maxLength: 8 }).map((s) => `${MARKER}${s}`), fc.string({ maxLength: 8 }).map((s) => `${MARKER}\0${s}`)] : []),
  );
  const hostileNumber = fc.oneof(
    fc.integer(), fc.constantFrom(0, -1, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e300), fc.double(),
  );
  const anyOf = (marked: boolean) => fc.oneof(hostileText(marked), hostileNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
  const anyValue = anyOf(true);
  const mix = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown> = anyValue): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: hostile });
  // Secrets travel in text fields, never in ids: a refused message's claimed job or worker id is
  // logged and recorded by design (it names the target), so ids are fuzzed without the marker.
  const idMix = <T>(valid: fc.Arbitrary<T>) => mix(valid, anyOf(false));
  const jobId = idMix(fc.oneof(fc.constant(null).map(() => t().own.jobId), fc.constant(null).map(() => t().victim.jobId), fc.uuid()));
  const attempt = mix(fc.constantFrom(1, 2));
  const text = mix(hostileText(true));
  const entry = mix(fc.record({ stream: mix(fc.constantFrom('stdout', 'stderr', 'system')), data: text }));
  const result = mix(fc.record({
    exitCode: mix(fc.oneof(fc.integer({ min: -255, max: 255 }), fc.constant(null))),
    outcome: mix(fc.constantFrom('exited', 'timed_out', 'cancelled', 'interrupted', 'error')),
    signal: fc.option(text, { nil: undefined }), message: fc.option(text, { nil: undefined }),
  }, { requiredKeys: ['exitCode', 'outcome'] }));
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), anyValue, { minKeys: 1, maxKeys: 2 }) },
  );
  const msg = (type: string, fields: Record<string, fc.Arbitrary<unknown>>) =>
    fc.tuple(fc.record(fields, { requiredKeys: [] }), extra).map(([f, x]) => ({ ...x, type, ...f }));
  const version = mix(fc.constant(1));
  const messages = {
    register: msg('register', { protocolVersion: version, token: text, agentVersion: text, pid: mix(fc.nat(99_999)), hostname: text }),
    resume: msg('resume', {
      protocolVersion: version,
      workerId: idMix(fc.oneof(fc.constant(null).map(() => t().victim.workerId), fc.uuid())),
      sessionToken: mix(fc.oneof(fc.constant(null).map(() => t().victim.sessionToken), hostileText(true))),
      job: mix(fc.option(fc.record({ jobId, attempt }))),
    }),
    heartbeat: msg('heartbeat', {}),
    'job.started': msg('job.started', { jobId, attempt }),
    'job.logs': msg('job.logs', { jobId, attempt, seq: mix(fc.integer({ min: 1, max: 1000 })), entries: mix(fc.array(entry, { maxLength: 3 })) }),
    'job.result': msg('job.result', { jobId, attempt, result }),
    error: msg('error', { code: mix(fc.constantFrom('BUSY', 'INVALID_MESSAGE')), message: text, field: text, rule: text }),
  };
  const raw = fc.oneof(hostileText(true), fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ unit: 'grapheme', maxLength: 64 }));
  const frame = fc.oneof(
    ...Object.values(messages).map((m) => m.map((v): string => JSON.stringify(v))),
    raw,
  );
  return { frame };
}

/** Every error is a deliberate refusal: a known code, never INTERNAL; INVALID_MESSAGE names field and rule. */
function checkErrors(received: readonly ServerMessage[]): void {
  for (const m of received) {
    if (m.type !== 'error') continue;
    expect(m.code).not.toBe('INTERNAL');
    if (m.code === 'INVALID_MESSAGE') {
      expect(m.field, m.message).toMatch(/^\//);
      expect(m.rule, m.message).toBeTruthy();
    }
  }
}

describe.each(TEST_ENGINES)('worker protocol fuzzing (%s)', (engine) => {
  let s: SecurityServer;
  let targets: Targets;
  let session: RawClient;
  const stats = { cases: 0, refusals: 0, closes: 0, sentinels: 0, byReason: {} as Record<string, number> };

  securityServerForTests(engine, (started) => (s = started));
  beforeAll(async () => {
    const own = await handWorker(s, { secrets: { TOKEN: MARKER } });
    own.client.send({ type: 'job.started', jobId: own.jobId, attempt: own.attempt });
    targets = { own, victim: await handWorker(s) };
    session = own.client;
  });
  afterAll(async () => {
    // Figures for docs/security.md, printed by every run.
    console.log(`worker fuzz (${engine}): ${JSON.stringify(stats)}`);
  });

  /** The fuzzing worker's connection, resumed after a deliberate close (or a fresh worker when its session ended). */
  async function liveSession(): Promise<RawClient> {
    if (session.ws.readyState === session.ws.OPEN) return session;
    const c = await s.connect();
    c.send(resume(targets.own, null));
    const answer = await Promise.race([c.next('resumed').then(() => true), c.closed.then(() => false)]);
    if (answer) return (session = c);
    targets.own = await handWorker(s);
    return (session = targets.own.client);
  }

  /** Keeps the fuzzing worker's own job result from ending its job: it would end the session. */
  function defuse(frame: string): string {
    const parsed = parseWorkerMessage(frame);
    if (!parsed.ok || parsed.message.type !== 'job.result' || parsed.message.jobId !== targets.own.jobId) return frame;
    return JSON.stringify({ ...parsed.message, attempt: parsed.message.attempt + 1 });
  }

  async function settle(c: RawClient, from: number, done: () => boolean): Promise<void> {
    const code = await Promise.race([
      c.closed,
      poll('the sentinel', () => done() || undefined, 15_000, 1).then(() => null),
    ]);
    if (code !== null) {
      stats.closes++;
      expect(DELIBERATE_CLOSES, `close code ${code}`).toContain(code);
    }
    const replies = c.received.slice(from);
    stats.refusals += replies.filter((m) => m.type === 'error').length;
    checkErrors(replies);
  }

  /** Would this frame make the gateway close the connection (so frames after it are never handled)? */
  const closes = (f: string, registered: boolean): boolean => {
    const p = parseWorkerMessage(f);
    if (!p.ok || p.message.type === 'error') return false;
    if (!registered) return true; // anything valid before register/resume is refused or authenticates
    const m = p.message;
    if (m.type !== 'job.started' && m.type !== 'job.logs' && m.type !== 'job.result') return false;
    return m.jobId !== targets.own.jobId || m.attempt !== targets.own.attempt;
  };

  /** Frames that leave the connection open go in one burst, each closing one alone. */
  function bursts(frames: string[], registered: boolean): string[][] {
    const open = frames.filter((f) => !closes(f, registered));
    return [...(open.length ? [open] : []), ...frames.filter((f) => closes(f, registered)).map((f) => [f])];
  }

  it(`a registered worker: ${REGISTERED_CASES} fuzzed frames`, async () => {
    const { frame } = arbitraries(() => targets);
    await fc.assert(fc.asyncProperty(fc.array(frame, { minLength: BURST, maxLength: BURST }), async (frames) => {
      stats.cases += frames.length;
      for (const burst of bursts(frames.map(defuse), true)) {
        const c = await liveSession();
        const from = c.received.length;
        for (const f of burst) c.send(f);
        const ref = { jobId: targets.own.jobId, attempt: targets.own.attempt };
        c.send({ type: 'job.logs', ...ref, seq: SENTINEL_SEQ, entries: [] });
        await settle(c, from, () => c.received.slice(from).some((m) => m.type === 'job.logs.ack' && m.seq === SENTINEL_SEQ));
      }
    }), { numRuns: REGISTERED_CASES / BURST, endOnFailure: true });
  });

  it(`unauthenticated connections: ${PER_ENGINE - REGISTERED_CASES} fuzzed frames`, async () => {
    const { frame } = arbitraries(() => targets);
    await fc.assert(fc.asyncProperty(fc.array(frame, { minLength: BURST, maxLength: BURST }), async (frames) => {
      stats.cases += frames.length;
      for (const burst of bursts(frames, false)) {
        const c = await s.connect();
        for (const f of burst) c.send(f);
        // Not registered: the heartbeat is refused and closes — after every frame before it was handled.
        c.send({ type: 'heartbeat' });
        stats.sentinels++;
        await settle(c, 0, () => c.received.some((m) => m.type === 'heartbeat.ack'));
        c.ws.terminate();
        s.clients.splice(s.clients.indexOf(c), 1);
      }
    }), { numRuns: (PER_ENGINE - REGISTERED_CASES) / BURST, endOnFailure: true });
  });

  it('the control plane still serves, and no seeded secret reached its logs or events', async () => {
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    const w = await handWorker(s);
    w.client.send({ type: 'job.started', jobId: w.jobId, attempt: w.attempt });
    w.client.send({ type: 'job.result', jobId: w.jobId, attempt: w.attempt, result: { outcome: 'exited', exitCode: 0 } });
    await w.client.next('job.result.ack');
    expect((await s.client.getJob(w.jobId)).state).toBe('succeeded');
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    for (const m of metrics.matchAll(/^hodei_worker_protocol_rejections_total\{reason="(\w+)"\} (\d+)$/gm)) {
      stats.byReason[m[1] ?? ''] = Number(m[2]);
    }
    // Refusals answered (errors) beyond the one each unauthenticated sentinel earns itself.
    expect(stats.refusals - stats.sentinels).toBeGreaterThan(stats.cases / 4);
    expect(s.logs().split('\n').filter((l) => l.includes(MARKER))).toEqual([]);
    expect(s.logs()).not.toContain('gateway backend call failed');
    expect(JSON.stringify(await rejectedEvents(s))).not.toContain(MARKER);
  });
});
