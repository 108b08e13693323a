import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools, fileArg } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { existsSync } from 'node:fs';
import { InvalidArgsError, NotLeaderError, PermissionDeniedError, SecretNotFoundError } from '../errors.ts';
import { secretAdd, secretGet, secretGrant, secretIds, secretInfoGet, secretRemove, secretRevoke, secretSet } from './secret.ts';

const ID = 'secret:9m4e2mr0ui3e8a215n4g';

describe.each(RUNNERS)('secret tools via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('secret-add sends each value as key#file=PATH: a 0600 file in a 0700 dir, removed afterwards (contract §3.3, §3.4)', () => {
    fake.on('secret-add', ['--owner', 'unit', '--label', 'ca', '--description', 'the CA', fileArg('private-key'), fileArg('cert')], { stdout: `${ID}\n` });
    const id = secretAdd(runner, { 'private-key': 'KEY-MATERIAL', cert: 'CERT' }, { owner: 'unit', label: 'ca', description: 'the CA' });
    expect(id).toBe(ID);
    const [call] = fake.calls();
    expect(call?.args.slice(0, 6)).toEqual(['--owner', 'unit', '--label', 'ca', '--description', 'the CA']);
    expect(call?.files[6]).toEqual({ content: 'KEY-MATERIAL', mode: '600', dirMode: '700' });
    expect(call?.files[7]).toEqual({ content: 'CERT', mode: '600', dirMode: '700' });
    const path = call?.args[6]?.split('#file=')[1] ?? '';
    expect(path).not.toBe('');
    expect(existsSync(path)).toBe(false);
  });

  it('secret-add passes --expire and --rotate (contract §3.4)', () => {
    fake.on('secret-add', ['--expire', '24h', '--rotate', 'daily', fileArg('token')], { stdout: `${ID}\n` });
    expect(secretAdd(runner, { token: 't0k3n' }, { expire: '24h', rotate: 'daily' })).toBe(ID);
  });

  it('the temp dir is removed even when secret-add fails (app-owned by non-leader → NotLeaderError)', () => {
    fake.on('secret-add', [fileArg('token')], { exitCode: 1, stderr: 'ERROR this unit is not the leader\n' });
    expect(() => secretAdd(runner, { token: 'abcd' })).toThrow(NotLeaderError);
    const path = fake.calls()[0]?.args[0]?.split('#file=')[1] ?? '';
    expect(existsSync(path)).toBe(false);
  });

  it('an invalid key is rejected before any file is written (contract §3.3: key "<k>" not valid)', () => {
    expect(() => secretAdd(runner, { Bad_Key: 'v' })).toThrow(InvalidArgsError);
    expect(() => secretAdd(runner, { ab: 'v' })).toThrow('key "ab" not valid');
    expect(fake.calls()).toEqual([]);
  });

  it('secret-get <id> --format=json → decoded map (contract §3.4)', () => {
    fake.on('secret-get', [ID, '--format=json'], { stdout: '{"key":"s3cret!"}\n' });
    expect(secretGet(runner, { id: ID })).toEqual({ key: 's3cret!' });
    expect(fake.argvs()).toEqual([['secret-get', ID, '--format=json']]);
  });

  it('secret-get --label L --peek / <id> --label L --refresh (contract §3.4, §3.5)', () => {
    fake.on('secret-get', ['--label', 'ca', '--peek', '--format=json'], { stdout: '{"a":"1"}\n' });
    fake.on('secret-get', [ID, '--label', 'ca', '--refresh', '--format=json'], { stdout: '{"a":"2"}\n' });
    expect(secretGet(runner, { label: 'ca', peek: true })).toEqual({ a: '1' });
    expect(secretGet(runner, { id: ID, label: 'ca', refresh: true })).toEqual({ a: '2' });
  });

  it('secret-get errors: permission denied (3.6) and "not allowed to read" (4.0) → PermissionDeniedError; unknown label → SecretNotFoundError (contract §3.5 items 9, 10)', () => {
    fake.on('secret-get', [ID, '--format=json'], { exitCode: 1, stderr: 'ERROR permission denied\n' });
    fake.on('secret-get', ['--label', 'x', '--format=json'], { exitCode: 1, stderr: 'ERROR consumer label "x" not found\n' });
    fake.on('secret-get', ['other', '--format=json'], { exitCode: 1, stderr: 'ERROR "app/0" is not allowed to read this secret\n' });
    expect(() => secretGet(runner, { id: ID })).toThrow(PermissionDeniedError);
    expect(() => secretGet(runner, { label: 'x' })).toThrow(SecretNotFoundError);
    expect(() => secretGet(runner, { id: 'other' })).toThrow(PermissionDeniedError);
  });

  it('secret-set <id> [flags] key#file=… (contract §3.4)', () => {
    fake.on('secret-set', [ID, '--label', 'ca', fileArg('token')]);
    secretSet(runner, ID, { token: 'new-token' }, { label: 'ca' });
    const [call] = fake.calls();
    expect(call?.files[3]).toEqual({ content: 'new-token', mode: '600', dirMode: '700' });
  });

  it('secret-set without content is a metadata-only update with no files', () => {
    fake.on('secret-set', [ID, '--description', 'now described']);
    secretSet(runner, ID, undefined, { description: 'now described' });
    expect(fake.argvs()).toEqual([['secret-set', ID, '--description', 'now described']]);
  });

  it('secret-grant <id> -r ep:id [--unit U] (contract §3.4)', () => {
    fake.on('secret-grant', [ID, '-r', 'client:4']);
    fake.on('secret-grant', [ID, '-r', 'client:4', '--unit', 'agent/1']);
    secretGrant(runner, ID, 'client:4');
    secretGrant(runner, ID, 'client:4', { unit: 'agent/1' });
    expect(fake.argvs()).toEqual([['secret-grant', ID, '-r', 'client:4'], ['secret-grant', ID, '-r', 'client:4', '--unit', 'agent/1']]);
  });

  it('secret-grant of a secret not owned → SecretNotFoundError (contract §3.4 text)', () => {
    fake.on('secret-grant', [ID, '-r', 'client:4'], { exitCode: 1, stderr: `ERROR secret "${ID}" not found\n` });
    expect(() => secretGrant(runner, ID, 'client:4')).toThrow(SecretNotFoundError);
  });

  it('secret-revoke <id> -r ep:id | --app A | --unit U (contract §3.4)', () => {
    fake.on('secret-revoke', [ID, '-r', 'client:4']);
    fake.on('secret-revoke', [ID, '--app', 'agent']);
    fake.on('secret-revoke', [ID, '--unit', 'agent/0']);
    secretRevoke(runner, ID, { relationId: 'client:4' });
    secretRevoke(runner, ID, { app: 'agent' });
    secretRevoke(runner, ID, { unit: 'agent/0' });
    expect(fake.argvs()).toEqual([
      ['secret-revoke', ID, '-r', 'client:4'], ['secret-revoke', ID, '--app', 'agent'], ['secret-revoke', ID, '--unit', 'agent/0'],
    ]);
  });

  it('secret-revoke with no target → InvalidArgsError (exit 2, contract §3.4)', () => {
    fake.on('secret-revoke', [ID], { exitCode: 2, stderr: 'ERROR missing relation or application or unit\n' });
    expect(() => secretRevoke(runner, ID)).toThrow(InvalidArgsError);
  });

  it('secret-remove <id> [--revision N] (contract §3.4)', () => {
    fake.on('secret-remove', [ID, '--revision', '3']);
    fake.on('secret-remove', [ID]);
    secretRemove(runner, ID, { revision: 3 });
    secretRemove(runner, ID);
    expect(fake.argvs()).toEqual([['secret-remove', ID, '--revision', '3'], ['secret-remove', ID]]);
  });

  it('secret-ids --format=json: JSON null when none (contract §3.4) → []', () => {
    fake.on('secret-ids', ['--format=json'], { stdout: 'null\n' });
    expect(secretIds(runner)).toEqual([]);
  });

  it('secret-ids lists bare ids', () => {
    fake.on('secret-ids', ['--format=json'], { stdout: '["9m4e2mr0ui3e8a215n4g","cn1"]\n' });
    expect(secretIds(runner)).toEqual(['9m4e2mr0ui3e8a215n4g', 'cn1']);
  });

  it('secret-info-get --label L --format=json → info with the bare id (contract §3.4)', () => {
    fake.on('secret-info-get', ['--label', 'ca', '--format=json'], {
      stdout: '{"9m4e2mr0ui3e8a215n4g":{"revision":2,"label":"ca","owner":"application","rotation":"daily","access":[{"target":"application-x","scope":"relation-x","role":"view"}]}}\n',
    });
    expect(secretInfoGet(runner, { label: 'ca' })).toEqual({
      id: '9m4e2mr0ui3e8a215n4g', revision: 2, label: 'ca', owner: 'application', rotation: 'daily',
      access: [{ target: 'application-x', scope: 'relation-x', role: 'view' }],
    });
  });

  it('secret-info-get with id and label → InvalidArgsError (exit 2, contract §3.4)', () => {
    fake.on('secret-info-get', [ID, '--label', 'ca', '--format=json'], { exitCode: 2, stderr: 'ERROR specify either a secret URI or label but not both\n' });
    expect(() => secretInfoGet(runner, { id: ID, label: 'ca' })).toThrow(InvalidArgsError);
  });
});
