import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtempSync, rmSync, statSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingRunner } from '../../common/src/workload-commands.ts';
import { NatsWorkload, snapNatsControl, type NatsControl, type NatsWorkloadState } from './workload.ts';

let dir: string;
let calls: string[];
let control: NatsControl;
let failNext: boolean;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-nats-'));
  calls = [];
  failNext = false;
  const record = (what: string) => async () => {
    if (failNext) {
      failNext = false;
      throw new Error(`${what} failed`);
    }
    calls.push(what);
  };
  control = { restart: record('restart'), reload: record('reload') };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const state: NatsWorkloadState = {
  listenAddress: '0.0.0.0',
  clientPort: 4222,
  monitor: null,
  cluster: null,
  tls: { cert: 'CERT-1', key: 'KEY-1', ca: 'CA', verifyClients: false },
  auth: { kind: 'token', token: 't' },
};

describe('NatsWorkload.apply', () => {
  it('first apply writes every file and restarts (starts) the server', async () => {
    const result = await new NatsWorkload({ dir, control }).apply(state);
    expect(result.action).toBe('restart');
    expect(result.changes.map((c) => c.kind)).toEqual(['created', 'created', 'created', 'created']);
    expect(calls).toEqual(['restart']);
    expect(statSync(join(dir, 'nats.cfg')).mode & 0o777).toBe(0o600);
  });

  it('second apply with the same state changes nothing and sends no signal', async () => {
    const wl = new NatsWorkload({ dir, control });
    await wl.apply(state);
    const again = await wl.apply(state);
    expect(again).toEqual({ changes: [], action: 'none' });
    expect(calls).toEqual(['restart']);
  });

  it('a renewed certificate reloads instead of restarting', async () => {
    const wl = new NatsWorkload({ dir, control });
    await wl.apply(state);
    const renewed = await wl.apply({ ...state, tls: { ...state.tls!, cert: 'CERT-2', key: 'KEY-2' } });
    expect(renewed.action).toBe('reload');
    expect(renewed.changes).toEqual([{ path: 'cert.pem', kind: 'updated' }, { path: 'key.pem', kind: 'updated' }]);
    expect(calls).toEqual(['restart', 'reload']);
  });

  it('a new token reloads; a port change restarts', async () => {
    const wl = new NatsWorkload({ dir, control });
    await wl.apply(state);
    expect((await wl.apply({ ...state, auth: { kind: 'token', token: 'u' } })).action).toBe('reload');
    expect((await wl.apply({ ...state, auth: { kind: 'token', token: 'u' }, clientPort: 4333 })).action).toBe('restart');
    expect(calls).toEqual(['restart', 'reload', 'restart']);
  });

  it('clearing TLS removes the certificate and key files and restarts', async () => {
    const wl = new NatsWorkload({ dir, control });
    await wl.apply(state);
    const off = await wl.apply({ ...state, tls: null });
    expect(off.action).toBe('restart');
    expect(off.changes).toEqual([
      { path: 'nats.cfg', kind: 'updated' },
      { path: 'cert.pem', kind: 'removed' },
      { path: 'key.pem', kind: 'removed' },
      { path: 'ca.pem', kind: 'removed' },
    ]);
    expect(existsSync(join(dir, 'key.pem'))).toBe(false);
  });

  it('a mode repair alone sends no signal', async () => {
    const wl = new NatsWorkload({ dir, control });
    await wl.apply(state);
    chmodSync(join(dir, 'key.pem'), 0o644);
    expect(await wl.apply(state)).toEqual({ changes: [{ path: 'key.pem', kind: 'mode' }], action: 'none' });
  });

  it('a failed reload is retried by the next apply although the files already match', async () => {
    const wl = new NatsWorkload({ dir, control });
    await wl.apply(state);
    failNext = true;
    await expect(wl.apply({ ...state, auth: { kind: 'token', token: 'u' } })).rejects.toThrow('reload failed');
    const retry = await wl.apply({ ...state, auth: { kind: 'token', token: 'u' } });
    expect(retry).toEqual({ changes: [], action: 'reload' });
    expect((await wl.apply({ ...state, auth: { kind: 'token', token: 'u' } })).action).toBe('none');
  });

  it('uses CHARM_WORKLOAD_ROOT as a prefix of the snap directory by default', () => {
    const old = process.env['CHARM_WORKLOAD_ROOT'];
    process.env['CHARM_WORKLOAD_ROOT'] = dir;
    try {
      expect(new NatsWorkload({ control }).configPath).toBe(`${dir}/var/snap/nats/common/server/nats.cfg`);
    } finally {
      if (old === undefined) delete process.env['CHARM_WORKLOAD_ROOT'];
      else process.env['CHARM_WORKLOAD_ROOT'] = old;
    }
  });
});

describe('snapNatsControl', () => {
  it('restarts the snap and reloads by SIGHUP to the server unit', async () => {
    const run = recordingRunner();
    const c = snapNatsControl(run);
    await c.restart();
    await c.reload();
    expect(run.calls).toEqual([
      ['snap', 'restart', 'nats'],
      ['systemctl', 'kill', '--signal=SIGHUP', '--kill-whom=main', 'snap.nats.server.service'],
    ]);
  });
});
