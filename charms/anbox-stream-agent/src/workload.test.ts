import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingRunner } from '../../common/src/workload-commands.ts';
import { AgentWorkload, snapAgentControl, type AgentControl, type AgentWorkloadState } from './workload.ts';

let dir: string;
let restarts: number;
let control: AgentControl;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wl-agent-'));
  restarts = 0;
  control = { restart: async () => void restarts++ };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const state: AgentWorkloadState = {
  region: 'r',
  location: '',
  useTlsPinning: false,
  clientCert: 'C',
  clientKey: 'K',
  ams: { url: 'https://h:8444', ca: 'AMSCA' },
  nats: { urls: ['tls://n:4222'], ca: 'NCA', credential: { kind: 'token', token: 't' } },
  api: null,
};

describe('AgentWorkload.apply', () => {
  it('restarts on the first apply and on a real change only', async () => {
    const wl = new AgentWorkload({ dir, control });
    expect((await wl.apply(state)).restarted).toBe(true);
    expect(statSync(wl.configPath).mode & 0o777).toBe(0o600);
    expect(await wl.apply(state)).toEqual({ changes: [], restarted: false });
    const r = await wl.apply({ ...state, nats: { ...state.nats!, credential: { kind: 'token', token: 'u' } } });
    expect(r).toEqual({ changes: [{ path: 'config.yaml', kind: 'updated' }], restarted: true });
    expect(restarts).toBe(2);
  });

  it('removes the AMS CA file once pinning is turned on', async () => {
    const wl = new AgentWorkload({ dir, control });
    await wl.apply(state);
    await wl.apply({ ...state, useTlsPinning: true, ams: { url: 'https://h:8444', fingerprint: 'a'.repeat(64) } });
    expect(existsSync(join(dir, 'certs/ams-ca.crt'))).toBe(false);
  });

  it('runs `snap restart anbox-stream-agent` in production', async () => {
    const run = recordingRunner();
    await snapAgentControl(run).restart();
    expect(run.calls).toEqual([['snap', 'restart', 'anbox-stream-agent']]);
  });
});
