// Longest files first, from the wall times of the last measured full run (test/file-times.json,
// refreshed by `HODEI_RECORD_TIMES=1 npm test`). Vitest's own ordering uses its results cache,
// which a clean CI clone does not have: it would start the minute-long e2e files last, and the run
// would end with one worker busy and the other idle. Files without a recorded time (new ones)
// come after, larger first.
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const FILE_TIMES = 'test/file-times.json';

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    let seconds: Record<string, number> = {};
    try {
      seconds = JSON.parse(readFileSync(join(root, FILE_TIMES), 'utf8')) as Record<string, number>;
    } catch {
      // No recorded times: size order below.
    }
    const key = (f: TestSpecification) => relative(root, f.moduleId);
    const size = (f: TestSpecification) => { try { return statSync(f.moduleId).size; } catch { return 0; } };
    return [...files].sort((a, b) => (seconds[key(b)] ?? 0) - (seconds[key(a)] ?? 0) || size(b) - size(a));
  }
}
