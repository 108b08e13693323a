import { describe, expect, it } from '@jest/globals';
import { HookToolError } from './errors.ts';
import type { ToolBatchItem, ToolResult, ToolRunner, ToolRunOptions } from './types.ts';
import { WriteQueue } from './write-queue.ts';

const ok: ToolResult = { stdout: '', stderr: '', exitCode: 0 };

/** Logs what reaches "Juju", one call or one batch at a time. */
function agent(fail: (tool: string) => boolean = () => false, batch = true): ToolRunner & { log: string[] } {
  const log: string[] = [];
  const answer = (tool: string, args: readonly string[], input?: string): ToolResult => {
    if (fail(tool)) return { stdout: '', stderr: `ERROR ${tool} refused ${input ?? ''}\n`, exitCode: 1 };
    return tool === 'state-get' ? { ...ok, stdout: '{}' } : ok;
  };
  const runner: ToolRunner & { log: string[] } = {
    log,
    run(tool: string, args: readonly string[], options?: ToolRunOptions) {
      log.push(`${tool} ${args.join(' ')}${options?.input ? ` <${options.input}` : ''}`);
      return answer(tool, args, options?.input);
    },
  };
  if (batch) {
    runner.runMany = async (items: ReadonlyArray<ToolBatchItem>) => {
      log.push(`batch[${items.map((i) => `${i.command.join(' ')}${i.input ? ` <${i.input}` : ''}${i.capture === 'stderr' ? ' (stderr)' : ''}`).join(', ')}]`);
      return items.map((i) => answer(i.command[0], i.command.slice(1), i.input));
    };
  }
  return runner;
}

describe('WriteQueue', () => {
  it('holds the buffered writes, then (once the charm is done) its last status and logs, and sends them in one batch, in order', async () => {
    const juju = agent();
    const q = new WriteQueue(juju, () => {});
    expect(q.run('relation-set', ['-r', 'db:1', '--file', '-'], { input: '{"a":"1"}' })).toEqual(ok);
    q.run('state-set', ['--file', '-'], { input: '{"b":"2"}' });
    expect(juju.log).toEqual([]);
    q.endOfHook();
    q.run('status-set', ['active', 'ready']);
    q.run('juju-log', ['--log-level', 'INFO', 'done']);
    expect(juju.log).toEqual([]);
    await q.flush();
    expect(juju.log).toEqual(['batch[relation-set -r db:1 --file - <{"a":"1"} (stderr), state-set --file - <{"b":"2"} (stderr), status-set active ready (stderr), juju-log --log-level INFO done (stderr)]']);
    expect(q.stats).toEqual({ sent: 4, batched: 4, queued: 0 });
    expect(q.failure).toBeUndefined();
  });

  it('sends a status or a log line at once while the charm runs (they take effect at once, §0.4), passing the buffered writes', () => {
    const juju = agent();
    const q = new WriteQueue(juju, () => {});
    q.run('state-set', ['--file', '-'], { input: '{"b":"2"}' });
    q.run('status-set', ['maintenance', 'installing the snap']);
    q.run('juju-log', ['--log-level', 'INFO', 'installing']);
    q.run('application-version-set', ['1.2']);
    expect(juju.log).toEqual(['status-set maintenance installing the snap', 'juju-log --log-level INFO installing', 'application-version-set 1.2']);
    expect(q.stats.queued).toBe(1);
  });

  it('sends the queue before any other call, so a read sees our own writes (contract §0.4)', () => {
    const juju = agent();
    const q = new WriteQueue(juju, () => {});
    q.run('state-set', ['--file', '-'], { input: '{"b":"2"}' });
    q.run('state-get', ['--format=json']);
    q.run('secret-set', ['secret:x', '--file', '-'], { input: 'k: v' }); // never deferred
    expect(juju.log).toEqual(['state-set --file - <{"b":"2"}', 'state-get --format=json', 'secret-set secret:x --file - <k: v']);
  });

  it('a failed write becomes the hook\'s failure, with its error and without its stdin; the others are still sent', async () => {
    const juju = agent((tool) => tool === 'relation-set');
    const q = new WriteQueue(juju, () => {});
    q.run('relation-set', ['-r', 'db:1', '--file', '-'], { input: '{"password":"hunter2-secret"}' });
    q.endOfHook();
    q.run('status-set', ['active']);
    await q.flush();
    expect(q.failure).toBeInstanceOf(HookToolError);
    expect(q.failure?.message).toContain('relation-set');
    expect(q.failure?.message).not.toContain('hunter2-secret');
    expect(juju.log).toHaveLength(1);
    expect(q.stats.sent).toBe(2);
  });

  it('a failed juju-log goes to the fallback as `LEVEL message` and is no failure', async () => {
    const juju = agent((tool) => tool === 'juju-log');
    const lines: string[] = [];
    const q = new WriteQueue(juju, (line) => lines.push(line));
    q.endOfHook();
    q.run('juju-log', ['--log-level', 'WARNING', '--', '-starts with a dash']);
    q.flushNow();
    expect(lines).toEqual(['WARNING -starts with a dash']);
    expect(q.failure).toBeUndefined();
  });

  it('one write, or a runner without runMany: sent one by one', async () => {
    const single = agent(() => false, false);
    const q = new WriteQueue(single, () => {});
    q.endOfHook();
    q.run('status-set', ['active']);
    q.run('juju-log', ['--log-level', 'INFO', 'x']);
    await q.flush();
    expect(single.log).toEqual(['status-set active', 'juju-log --log-level INFO x']);
    const one = agent();
    const q1 = new WriteQueue(one, () => {});
    q1.endOfHook();
    q1.run('status-set', ['active']);
    await q1.flush();
    expect(one.log).toEqual(['status-set active']);
  });

  it('a prefetch read is no write: it is run, after the queue like any read', () => {
    const juju = agent();
    const q = new WriteQueue(juju, () => {});
    q.run('state-set', ['--file', '-'], { input: '{}' });
    q.run('state-get', ['--format=json'], { prefetch: true });
    expect(juju.log).toEqual(['state-set --file - <{}', 'state-get --format=json']);
  });
});
