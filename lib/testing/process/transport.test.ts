/**
 * The executable transport end to end with a scripted backend: real client binaries (C and the
 * Node fallback) symlinked under tool names, a real unix socket, real processes (contract §0.1).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolResult } from '../../juju/types.ts';
import { ensureClient } from './client-build.ts';
import { ToolServer, type ServerToolOptions } from './server.ts';
import { syncToolsDir } from './tools-dir.ts';

interface Run { code: number | null; stdout: string; stderr: string }

function run(cmd: string, args: string[], env: Record<string, string>, options: { input?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the tool may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

/** A scripted backend: what each tool answers is derived from the request itself. */
const calls: Array<{ ctx: string; tool: string; args: readonly string[]; cwd?: string }> = [];
const backend = {
  runTool(ctx: string, tool: string, args: readonly string[], o?: ServerToolOptions): ToolResult {
    // (reading o.stdin is what makes the client send stdin, so only cat-stdin touches it)
    calls.push({ ctx, tool, args, ...(o?.cwd !== undefined ? { cwd: o.cwd } : {}) });
    if (tool === 'echo-args') return { exitCode: Number(args[0]), stdout: args.slice(1).join('|'), stderr: `ERROR code ${args[0]}\n` };
    if (tool === 'cat-stdin') return { exitCode: 0, stdout: o?.stdin ?? '', stderr: '' };
    if (tool === 'read-file') return { exitCode: 0, stdout: o!.readFile(args[0]!), stderr: '' };
    if (tool === 'throws') throw new Error('engine exploded');
    return { exitCode: 1, stdout: '', stderr: `ERROR unknown tool ${tool}\n` };
  },
};

const root = mkdtempSync(join(tmpdir(), 'jujusim-transport-'));
const server = new ToolServer(join(root, 's.sock'), () => backend);

beforeAll(async () => { await server.start(); });
afterAll(async () => { await server.close(); rmSync(root, { recursive: true, force: true }); });

describe.each(['c', 'node'] as const)('hook-tool client (%s)', (prefer) => {
  const client = ensureClient({ prefer, cacheDir: join(root, 'cache') });
  const tools = join(root, `tools-${prefer}`);
  syncToolsDir(tools, client.path, ['echo-args', 'cat-stdin', 'read-file', 'throws']);
  const env = { PATH: `${tools}:/usr/bin:/bin`, JUJU_CONTEXT_ID: `ctx-${prefer}`, JUJU_AGENT_SOCKET_ADDRESS: server.socketPath, JUJU_AGENT_SOCKET_NETWORK: 'unix' };

  it('is the kind asked for', () => { expect(client.kind).toBe(prefer); });

  it('outside a hook prints "error: JUJU_CONTEXT_ID not set" and exits 1 without connecting (contract §0.1)', async () => {
    const before = server.calls;
    const { JUJU_CONTEXT_ID: _, ...noCtx } = env;
    const r = await run('echo-args', ['0'], noCtx);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: JUJU_CONTEXT_ID not set\n' });
    expect(server.calls).toBe(before);
  });

  it('reproduces stdout, stderr and exit code byte for byte, argv intact', async () => {
    const r = await run('echo-args', ['2', 'a b', '', 'ü\n', '--format=json'], env);
    expect(r).toEqual({ code: 2, stdout: 'a b||ü\n|--format=json', stderr: 'ERROR code 2\n' });
    expect(calls.at(-1)).toMatchObject({ ctx: `ctx-${prefer}`, tool: 'echo-args', args: ['2', 'a b', '', 'ü\n', '--format=json'] });
  });

  it('leaves stdin alone when the tool does not read it (jujuc ErrNoStdin protocol)', async () => {
    const r = await run('/bin/sh', ['-c', 'echo-args 0 first; cat'], env, { input: 'kept for cat\n' });
    expect(r).toEqual({ code: 0, stdout: 'firstkept for cat\n', stderr: 'ERROR code 0\n' });
  });

  it('forwards stdin entirely when the tool reads it (relation-set --file -)', async () => {
    const big = 'k: ' + 'x'.repeat(200_000) + '\n';
    const r = await run('cat-stdin', ['--file', '-'], env, { input: big });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(big);
  });

  it('sends the cwd so relative files resolve against it (key#file=, --file PATH)', async () => {
    writeFileSync(join(root, 'content.yaml'), 'from: file\n');
    const r = await run('read-file', ['content.yaml'], env, { cwd: root });
    expect(r.stdout).toBe('from: file\n');
    expect(calls.at(-1)?.cwd).toBe(root);
  });

  it('turns an engine exception into exit 1 with an error line', async () => {
    const r = await run('throws', [], env);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: engine exploded\n' });
  });

  it('an unlinked tool name is "command not found" (exit 127), like secret-get on 2.9', async () => {
    const r = await run('/bin/sh', ['-c', 'secret-get foo'], env);
    expect(r.code).toBe(127);
  });

  it('reports a dead socket as exit 1', async () => {
    const r = await run('echo-args', ['0'], { ...env, JUJU_AGENT_SOCKET_ADDRESS: join(root, 'nope.sock') });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: dial unix /);
  });
});
