import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { relationGet, relationIds, relationList, relationModelGet, relationRemoteApp, relationSet } from './relation.ts';

describe.each(RUNNERS)('relation tools via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('relation-ids --format=json <endpoint> → ids (contract §2.1)', () => {
    fake.on('relation-ids', ['--format=json', 'db'], { stdout: '["db:1","db:4"]\n' });
    expect(relationIds(runner, 'db')).toEqual(['db:1', 'db:4']);
    expect(fake.argvs()).toEqual([['relation-ids', '--format=json', 'db']]);
  });

  it('relation-ids of an unknown endpoint is [] (contract §2.1)', () => {
    fake.on('relation-ids', ['--format=json', 'nope'], { stdout: '[]\n' });
    expect(relationIds(runner, 'nope')).toEqual([]);
  });

  it('relation-list -r ep:id --format=json → units (contract §2.2)', () => {
    fake.on('relation-list', ['-r', 'db:1', '--format=json'], { stdout: '["mysql/0","mysql/1"]\n' });
    expect(relationList(runner, 'db:1')).toEqual(['mysql/0', 'mysql/1']);
    expect(fake.argvs()).toEqual([['relation-list', '-r', 'db:1', '--format=json']]);
  });

  it('relation-list --app → the remote app name as a JSON string (contract §2.2)', () => {
    fake.on('relation-list', ['-r', 'db:1', '--app', '--format=json'], { stdout: '"mysql"\n' });
    expect(relationRemoteApp(runner, 'db:1')).toBe('mysql');
    expect(fake.argvs()).toEqual([['relation-list', '-r', 'db:1', '--app', '--format=json']]);
  });

  it('a bare numeric relation id is sent as given (contract §2: `-r N` is accepted)', () => {
    fake.on('relation-list', ['-r', '7', '--format=json'], { stdout: '[]\n' });
    expect(relationList(runner, 7)).toEqual([]);
  });

  it('relation-get -r ep:id --format=json - <unit> → the unit bag (contract §2.3)', () => {
    fake.on('relation-get', ['-r', 'db:1', '--format=json', '-', 'mysql/0'], { stdout: '{"host":"10.0.0.5","port":"3306"}\n' });
    expect(relationGet(runner, 'db:1', 'mysql/0')).toEqual({ host: '10.0.0.5', port: '3306' });
    expect(fake.argvs()).toEqual([['relation-get', '-r', 'db:1', '--format=json', '-', 'mysql/0']]);
  });

  it('relation-get --app reads the application bag (contract §2.3)', () => {
    fake.on('relation-get', ['-r', 'db:1', '--app', '--format=json', '-', 'mysql'], { stdout: '{"ca_cert":"PEM"}\n' });
    expect(relationGet(runner, 'db:1', 'mysql', { app: true })).toEqual({ ca_cert: 'PEM' });
  });

  it('relation-get of an empty bag ({} or null) is {}', () => {
    fake.on('relation-get', ['-r', 'db:1', '--format=json', '-', 'mysql/0'], { stdout: '{}\n' });
    fake.on('relation-get', ['-r', 'db:2', '--format=json', '-', 'mysql/0'], { stdout: 'null\n' });
    expect(relationGet(runner, 'db:1', 'mysql/0')).toEqual({});
    expect(relationGet(runner, 'db:2', 'mysql/0')).toEqual({});
  });

  it('relation-set -r ep:id --file - sends the map as JSON on stdin, nothing on argv (contract §2.4)', () => {
    fake.on('relation-set', ['-r', 'db:1', '--file', '-']);
    relationSet(runner, 'db:1', { url: 'nats://10.0.0.1:4222', gone: '' });
    const [call] = fake.calls();
    expect(call?.args).toEqual(['-r', 'db:1', '--file', '-']);
    expect(JSON.parse(call?.stdin ?? '')).toEqual({ url: 'nats://10.0.0.1:4222', gone: '' });
  });

  it('relation-set --app writes the app bag in one call (contract §2.4)', () => {
    fake.on('relation-set', ['-r', 'db:1', '--app', '--file', '-']);
    relationSet(runner, 'db:1', { a: '1', b: '2' }, { app: true });
    expect(fake.calls()).toHaveLength(1);
    expect(JSON.parse(fake.calls()[0]?.stdin ?? '')).toEqual({ a: '1', b: '2' });
  });

  it('relation-model-get -r ep:id --format=json → {uuid} (contract §2.5)', () => {
    fake.on('relation-model-get', ['-r', 'db:1', '--format=json'], { stdout: '{"uuid":"8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d"}\n' });
    expect(relationModelGet(runner, 'db:1')).toEqual({ uuid: '8a0b6c4e-1d2f-4a3b-9c8d-7e6f5a4b3c2d' });
  });
});
