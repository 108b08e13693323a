import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { HookToolError, InvalidArgsError } from '../errors.ts';
import { actionFail, actionGet, actionLog, actionSet } from './action.ts';

describe.each(RUNNERS)('action tools via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('action-get --format=json → params (contract §2.11)', () => {
    fake.on('action-get', ['--format=json'], { stdout: '{"count":3,"opts":{"deep":true}}\n' });
    expect(actionGet(runner)).toEqual({ count: 3, opts: { deep: true } });
    expect(fake.argvs()).toEqual([['action-get', '--format=json']]);
  });

  it('action-set key=value … (contract §2.11)', () => {
    fake.on('action-set', ['result.path=/var/backup', 'ok=true']);
    actionSet(runner, { 'result.path': '/var/backup', ok: 'true' });
    expect(fake.argvs()).toEqual([['action-set', 'result.path=/var/backup', 'ok=true']]);
  });

  it('action-set with a reserved key → InvalidArgsError (exit 2, contract §2.11)', () => {
    fake.on('action-set', ['stdout=x'], { exitCode: 2, stderr: 'ERROR cannot set reserved action key "stdout"\n' });
    expect(() => actionSet(runner, { stdout: 'x' })).toThrow(InvalidArgsError);
  });

  it('action-fail [message] (contract §2.11)', () => {
    fake.on('action-fail', ['disk full']);
    fake.on('action-fail', []);
    actionFail(runner, 'disk full');
    actionFail(runner);
    expect(fake.argvs()).toEqual([['action-fail', 'disk full'], ['action-fail']]);
  });

  it('action-log <message> (contract §2.11)', () => {
    fake.on('action-log', ['50% done']);
    actionLog(runner, '50% done');
    expect(fake.argvs()).toEqual([['action-log', '50% done']]);
  });

  it('outside an action → exit 1 HookToolError "not running an action" (contract §2.11)', () => {
    fake.on('action-get', ['--format=json'], { exitCode: 1, stderr: 'ERROR not running an action\n' });
    expect(() => actionGet(runner)).toThrow(HookToolError);
    expect(() => actionGet(runner)).toThrow('not running an action');
  });
});
