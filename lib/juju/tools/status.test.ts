import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { InvalidArgsError, NotLeaderError } from '../errors.ts';
import { applicationStatusGet, applicationVersionSet, statusGet, statusSet } from './status.ts';

describe.each(RUNNERS)('status tools via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('status-set <status> <message> (contract §2.9)', () => {
    fake.on('status-set', ['active', 'ready']);
    statusSet(runner, 'active', 'ready');
    expect(fake.argvs()).toEqual([['status-set', 'active', 'ready']]);
  });

  it('status-set without message sends no empty argument', () => {
    fake.on('status-set', ['active']);
    statusSet(runner, 'active');
    expect(fake.argvs()).toEqual([['status-set', 'active']]);
  });

  it('status-set --application; a message starting with - goes after --', () => {
    fake.on('status-set', ['--application', '--', 'blocked', '-x is bad']);
    statusSet(runner, 'blocked', '-x is bad', { application: true });
    expect(fake.argvs()).toEqual([['status-set', '--application', '--', 'blocked', '-x is bad']]);
  });

  it('status-set --application by a non-leader → NotLeaderError (exit 1, contract §2.9)', () => {
    fake.on('status-set', ['--application', 'active'], { exitCode: 1, stderr: 'ERROR this unit is not the leader\n' });
    expect(() => statusSet(runner, 'active', '', { application: true })).toThrow(NotLeaderError);
  });

  it('status-set with a bad status → InvalidArgsError (exit 2, contract §2.9)', () => {
    fake.on('status-set', ['error'], { exitCode: 2, stderr: 'ERROR invalid status "error", expected one of [maintenance blocked waiting active]\n' });
    expect(() => statusSet(runner, 'error' as 'active')).toThrow(InvalidArgsError);
  });

  it('status-get --include-data --format=json → {status, message} (contract §2.9)', () => {
    fake.on('status-get', ['--include-data', '--format=json'], { stdout: '{"message":"ready","status":"active","status-data":{}}\n' });
    expect(statusGet(runner)).toEqual({ status: 'active', message: 'ready' });
  });

  it('status-get --application → app status with units (contract §2.9)', () => {
    fake.on('status-get', ['--application', '--include-data', '--format=json'], {
      stdout: '{"application-status":{"message":"m","status":"waiting","status-data":{},"units":{"app/0":{"message":"","status":"active","status-data":{}}}}}\n',
    });
    expect(applicationStatusGet(runner)).toEqual({ status: 'waiting', message: 'm', units: { 'app/0': { status: 'active', message: '' } } });
  });

  it('application-version-set <version> (contract §2.15)', () => {
    fake.on('application-version-set', ['2.9.10']);
    applicationVersionSet(runner, '2.9.10');
    expect(fake.argvs()).toEqual([['application-version-set', '2.9.10']]);
  });
});
