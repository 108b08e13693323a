/**
 * The security property of lib/juju: no secret value in any hook-tool argv nor in any juju-log
 * line (COMMON.md, design.md). Every call is recorded by the fake executables.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { Tools } from './hook-tools.ts';
import { Logger } from './log.ts';
import { FakeTools, fileArg } from './testing/fake-tools.ts';
import { RUNNERS } from './testing/runners.ts';

const ID = 'secret:cn1';
const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PEM_BODY = PEM.split('\n')[1] ?? '';
const SECRETS = {
  added: 'added-s3cret-value',
  updated: 'updated-s3cret-value',
  read: 'read-from-juju-s3cret',
  registered: 'registered-api-token-42',
  url: 'nats-url-token-77',
  assignment: 'assigned-password-99',
};

describe.each(RUNNERS)('no secret leaks via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  beforeAll(() => {
    fake = FakeTools.create();
  });
  afterAll(() => fake.cleanup());

  it('secret values travel only in files; log lines are redacted', async () => {
    const logLines: string[] = [];
    fake.on('secret-add', ['--label', 'ca', fileArg('private-key'), fileArg('token')], { stdout: `${ID}\n` })
      .on('secret-set', [ID, fileArg('token')])
      .on('secret-get', ['--label', 'upstream', '--format=json'], { stdout: `{"token":"${SECRETS.read}"}\n` })
      .on('relation-set', ['-r', 'client:3', '--file', '-'])
      .on('state-set', ['--file', '-']);
    // juju-log: accept any message, record it (fake answers exit 0 for every single-message form).
    const tools = new Tools(await makeRunner(fake.env()), { unitName: 'nats/0' });
    const log = new Logger(tools, { redactor: tools.redactor, fallback: (l) => logLines.push(l) });

    tools.secretAdd({ 'private-key': PEM, token: SECRETS.added }, { label: 'ca' });
    tools.secretSet(ID, { token: SECRETS.updated });
    const got = tools.secretGet({ label: 'upstream' });
    tools.relationSet('client:3', { url: `tls://${SECRETS.url}@10.0.0.1:4222` });
    tools.stateSet({ token: SECRETS.registered });
    log.registerSecret(SECRETS.registered);

    const messages = [
      `loaded key ${PEM}`,
      `added ${SECRETS.added}, updated to ${SECRETS.updated}`,
      `upstream says ${got.token}`,
      `token ${SECRETS.registered} in use`,
      `connecting to nats://${SECRETS.url}@10.0.0.1:4222`,
      `config password=${SECRETS.assignment} done`,
    ];
    for (const m of messages) {
      fake.on('juju-log', ['--log-level', 'INFO', log.redact(m)]);
      log.info(m);
    }
    expect(logLines).toEqual([]); // every juju-log call matched its redacted form

    const calls = fake.calls();
    const logged = calls.filter((c) => c.tool === 'juju-log').map((c) => c.args.join(' '));
    expect(logged).toHaveLength(messages.length);
    const everyArgv = calls.flatMap((c) => c.args).join('\n');
    for (const value of [...Object.values(SECRETS), PEM_BODY]) {
      expect(everyArgv).not.toContain(value);
      for (const line of logged) expect(line).not.toContain(value);
    }
    expect(everyArgv).not.toContain('PRIVATE KEY-----\n');
    // ...and the values did reach Juju, through the files and stdin.
    const add = calls.find((c) => c.tool === 'secret-add');
    expect(Object.values(add?.files ?? {}).map((f) => f.content)).toEqual([PEM, SECRETS.added]);
    expect(calls.find((c) => c.tool === 'state-set')?.stdin).toContain(SECRETS.registered);
  });
});
