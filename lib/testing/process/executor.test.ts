/** Hook execution as the unit agent does it (contract §1.1), with a scripted engine. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CharmSpec, HookInvocation, HookOutcome } from '../engine/api.ts';
import { ensureClient } from './client-build.ts';
import { discoverHandler, hookEnv, startHook } from './executor.ts';
import { HookRunner, SettleTimeoutError } from './runner.ts';
import { ToolServer } from './server.ts';
import { syncToolsDir } from './tools-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'jujusim-exec-'));

function charm(name: string, files: Record<string, string>): CharmSpec {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), body);
    chmodSync(join(dir, path), 0o755);
  }
  return { name, provides: {}, requires: {}, peers: {}, config: {}, actions: {}, dir };
}

function invocation(spec: CharmSpec, name: string, kind: 'hook' | 'action' = 'hook', ctx = `ctx-${name}`): HookInvocation {
  const path = `${kind === 'action' ? 'actions' : 'hooks'}/${name}`;
  return { contextId: ctx, model: 'm', unit: 'app/0', name, kind, charm: spec, env: { JUJU_DISPATCH_PATH: path, JUJU_HOOK_NAME: kind === 'hook' ? name : '', JUJU_UNIT_NAME: 'app/0', JUJU_CONTEXT_ID: ctx } };
}

const toolCalls: Array<{ ctx: string; tool: string; args: readonly string[] }> = [];
const server = new ToolServer(join(root, 'agent.sock'), () => ({
  runTool: (ctx, tool, args) => { toolCalls.push({ ctx, tool, args }); return { exitCode: 0, stdout: `${tool} ok\n`, stderr: '' }; },
}));
const tools = join(root, 'tools');
const ex = { socketPath: server.socketPath, toolsDir: tools };

beforeAll(async () => {
  syncToolsDir(tools, ensureClient().path, ['status-set', 'juju-log']);
  await server.start();
});
afterAll(async () => { await server.close(); rmSync(root, { recursive: true, force: true }); });

describe('discoverHandler (contract §1.1)', () => {
  it('prefers dispatch, then hooks/<name> or actions/<name>', () => {
    const both = charm('both', { dispatch: '#!/bin/sh\n', 'hooks/install': '#!/bin/sh\n' });
    expect(discoverHandler(invocation(both, 'install')).kind).toBe('dispatch');
    const legacy = charm('legacy', { 'hooks/install': '#!/bin/sh\n', 'actions/backup': '#!/bin/sh\n' });
    expect(discoverHandler(invocation(legacy, 'install'))).toEqual({ kind: 'hook', program: join(legacy.dir!, 'hooks/install') });
    expect(discoverHandler(invocation(legacy, 'backup', 'action')).kind).toBe('action');
    expect(discoverHandler(invocation(legacy, 'start')).kind).toBe('skipped');
    expect(discoverHandler(invocation(legacy, 'restore', 'action')).kind).toBe('not-implemented');
  });
});

describe('hookEnv (contract §1.2)', () => {
  it('adds charm dir, socket vars and the tools dir first on PATH; drops stray JUJU_* vars of the caller', () => {
    process.env.JUJU_REMOTE_UNIT = 'leaked/0';
    try {
      const spec = charm('env', { dispatch: '#!/bin/sh\n' });
      const env = hookEnv(invocation(spec, 'install'), ex);
      expect(env).toMatchObject({ JUJU_CHARM_DIR: spec.dir, CHARM_DIR: spec.dir, JUJU_AGENT_SOCKET_ADDRESS: server.socketPath, JUJU_AGENT_SOCKET_NETWORK: 'unix', JUJU_DISPATCH_PATH: 'hooks/install' });
      expect(env.PATH!.split(':')[0]).toBe(tools);
      expect(env.JUJU_REMOTE_UNIT).toBeUndefined();
    } finally {
      delete process.env.JUJU_REMOTE_UNIT;
    }
  });
});

describe('startHook', () => {
  it('runs dispatch in the charm dir with no args and stdin closed, capturing both streams and tool calls', async () => {
    const spec = charm('runs', { dispatch: '#!/bin/sh\necho "cwd=$(pwd) args=$# path=$JUJU_DISPATCH_PATH"\nread x || echo "stdin empty" >&2\nstatus-set active ready\nexit 3\n' });
    const r = await startHook(invocation(spec, 'start', 'hook', 'ctx-runs'), ex).done;
    expect(r).toMatchObject({ handler: 'dispatch', exitCode: 3, stdout: `cwd=${spec.dir} args=0 path=hooks/start\nstatus-set ok\n`, stderr: 'stdin empty\n' });
    expect(toolCalls).toContainEqual({ ctx: 'ctx-runs', tool: 'status-set', args: ['active', 'ready'] });
  });

  it('skips a missing hook (exit 0) and fails a missing action with juju\'s message', async () => {
    const spec = charm('empty', {});
    expect(await startHook(invocation(spec, 'install'), ex).done).toMatchObject({ handler: 'skipped', exitCode: 0 });
    expect(await startHook(invocation(spec, 'backup', 'action'), ex).done).toMatchObject({ handler: 'not-implemented', exitCode: 1, message: 'action not implemented on unit "app/0"' });
  });

  it('a dispatch that is not executable is a hook failure, not a crash', async () => {
    const spec = charm('noexec', { dispatch: '#!/bin/sh\n' });
    chmodSync(join(spec.dir!, 'dispatch'), 0o644);
    const r = await startHook(invocation(spec, 'install'), ex).done;
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/EACCES/);
  });
});

describe('HookRunner', () => {
  /** Engine double: a fixed queue; records finishHook outcomes and the order of starts. */
  function fakeEngine(invs: HookInvocation[]) {
    const queue = [...invs];
    const finished: Array<[string, HookOutcome]> = [];
    return {
      finished,
      nextHook: () => queue.shift(),
      finishHook: (ctx: string, outcome: HookOutcome) => { finished.push([ctx, outcome]); },
    };
  }

  it('runs hooks one at a time in queue order until settled, handing each outcome to finishHook', async () => {
    const spec = charm('order', { dispatch: '#!/bin/sh\njuju-log "$JUJU_HOOK_NAME"\n[ "$JUJU_HOOK_NAME" != start ]\n' });
    const engine = fakeEngine(['install', 'config-changed', 'start'].map((n) => invocation(spec, n, 'hook', `c-${n}`)));
    const seen: string[] = [];
    const runner = new HookRunner({ engine: () => engine, socketPath: server.socketPath, toolsDirFor: () => tools, onHook: (inv) => seen.push(inv.name) });
    expect(await runner.settle()).toBe(3);
    expect(seen).toEqual(['install', 'config-changed', 'start']);
    expect(engine.finished.map(([c, o]) => [c, o.exitCode])).toEqual([['c-install', 0], ['c-config-changed', 0], ['c-start', 1]]);
  });

  it('with a timeout, kills a hung hook, reports it as failed and throws SettleTimeoutError', async () => {
    const spec = charm('hang', { dispatch: '#!/bin/sh\nsleep 30\n' });
    const engine = fakeEngine([invocation(spec, 'install', 'hook', 'c-hang')]);
    const runner = new HookRunner({ engine: () => engine, socketPath: server.socketPath, toolsDirFor: () => tools });
    const t0 = Date.now();
    await expect(runner.settle({ timeoutMs: 300 })).rejects.toBeInstanceOf(SettleTimeoutError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(engine.finished[0]?.[1].exitCode).toBe(137);
  });

  it('runs hooks of different units concurrently with parallelism > 1', async () => {
    const spec = charm('par', { dispatch: '#!/bin/sh\nsleep 0.3\n' });
    const engine = fakeEngine([0, 1, 2, 3].map((i) => ({ ...invocation(spec, 'install', 'hook', `p${i}`), unit: `app/${i}` })));
    const runner = new HookRunner({ engine: () => engine, socketPath: server.socketPath, toolsDirFor: () => tools, parallelism: 4 });
    const t0 = Date.now();
    expect(await runner.settle()).toBe(4);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
