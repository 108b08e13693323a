import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { NotLeaderError } from '../errors.ts';
import { isLeader, leaderGet, leaderSet } from './leader.ts';

describe.each(RUNNERS)('leader tools via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('is-leader --format=json → boolean (contract §2.8)', () => {
    fake.on('is-leader', ['--format=json'], { stdout: 'false\n' });
    expect(isLeader(runner)).toBe(false);
    expect(fake.argvs()).toEqual([['is-leader', '--format=json']]);
  });

  it('leader-get --format=json → map (contract §2.8)', () => {
    fake.on('leader-get', ['--format=json'], { stdout: '{"k":"v"}\n' });
    expect(leaderGet(runner)).toEqual({ k: 'v' });
  });

  it('leader-set key=value … (no --file exists for leader-set, contract §2.8)', () => {
    fake.on('leader-set', ['a=1', 'b=x=y', 'gone=']);
    leaderSet(runner, { a: '1', b: 'x=y', gone: '' });
    expect(fake.argvs()).toEqual([['leader-set', 'a=1', 'b=x=y', 'gone=']]);
  });

  it('leader-set by a non-leader → NotLeaderError (contract §2.8 text)', () => {
    fake.on('leader-set', ['a=1'], { exitCode: 1, stderr: 'ERROR cannot write leadership settings: cannot write settings: not the leader\n' });
    expect(() => leaderSet(runner, { a: '1' })).toThrow(NotLeaderError);
  });
});
