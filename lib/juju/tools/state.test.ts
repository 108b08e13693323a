import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { NotFoundError } from '../errors.ts';
import { callJson } from './run.ts';
import { stateDelete, stateGet, stateSet } from './state.ts';

describe.each(RUNNERS)('state tools via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('state-get --format=json → map (contract §2.13)', () => {
    fake.on('state-get', ['--format=json'], { stdout: '{"installed":"yes"}\n' });
    expect(stateGet(runner)).toEqual({ installed: 'yes' });
    expect(fake.argvs()).toEqual([['state-get', '--format=json']]);
  });

  it('state-get of an empty state prints JSON null (Go nil map, contract §0.3) → {}', () => {
    fake.on('state-get', ['--format=json'], { stdout: 'null\n' });
    expect(stateGet(runner)).toEqual({});
  });

  it('state-set --file - sends the map on stdin (contract §2.13)', () => {
    fake.on('state-set', ['--file', '-']);
    stateSet(runner, { a: 'b c', key: 'v=1' });
    const [call] = fake.calls();
    expect(call?.args).toEqual(['--file', '-']);
    expect(JSON.parse(call?.stdin ?? '')).toEqual({ a: 'b c', key: 'v=1' });
  });

  it('state-delete <key> (contract §2.13)', () => {
    fake.on('state-delete', ['installed']);
    stateDelete(runner, 'installed');
    expect(fake.argvs()).toEqual([['state-delete', 'installed']]);
  });

  it('state-get --strict of a missing key → NotFoundError (contract §2.13 text)', () => {
    fake.on('state-get', ['--strict', '--format=json', 'k'], { exitCode: 1, stderr: 'ERROR "k" not found\n' });
    expect(() => callJson(runner, 'state-get', ['--strict', '--format=json', 'k'])).toThrow(NotFoundError);
  });
});
