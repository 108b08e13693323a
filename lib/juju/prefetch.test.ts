import { PrefetchingRunner, prefetchable, type ToolCommand } from './prefetch.ts';
import type { ToolResult, ToolRunner } from './types.ts';

/** A runner over a mutable world, logging every command it really runs. */
function world(): { runner: ToolRunner; calls: string[]; data: Record<string, string>; failing: Set<string> } {
  const data: Record<string, string> = {};
  const failing = new Set<string>();
  const calls: string[] = [];
  const runner: ToolRunner = {
    run(tool, args, options) {
      const line = [tool, ...args].join(' ');
      calls.push(line);
      if (failing.has(tool)) return { stdout: '', stderr: `ERROR ${tool} failed\n`, exitCode: 1 };
      if (tool === 'state-set') { Object.assign(data, JSON.parse(options?.input ?? '{}') as Record<string, string>); return ok(''); }
      if (tool === 'secret-get' && args.includes('--refresh')) { data['tracked'] = data['latest'] ?? ''; return ok(data['latest'] ?? ''); }
      if (tool === 'secret-get') return ok(data['tracked'] ?? '');
      return ok(JSON.stringify(data[tool] ?? null));
    },
  };
  return { runner, calls, data, failing };
}
const ok = (stdout: string): ToolResult => ({ stdout, stderr: '', exitCode: 0 });

describe('prefetchable', () => {
  it.each<[ToolCommand, boolean]>([
    [['relation-get', '-r', 'db:1', '--format=json', '-', 'app/0'], true],
    [['config-get', '--format=json'], true],
    [['is-leader', '--format=json'], true],
    [['state-get', '--format=json'], true],
    // §3.5: a plain get or a peek only repeats what the last hook did.
    [['secret-get', 'secret:abc', '--label', 'db.1.token', '--format=json'], true],
    [['secret-get', 'secret:abc', '--peek', '--format=json'], true],
    // The owner's label-only refresh: what lib/secrets does for every owned secret in every hook.
    [['secret-get', '--label', 'ca', '--refresh', '--format=json'], true],
    // A consumer's refresh is the charm's decision (and consumes secret-changed): never early.
    [['secret-get', 'secret:abc', '--refresh', '--format=json'], false],
    [['secret-get', 'secret:abc', '--label', 'x', '--refresh', '--format=json'], false],
    [['relation-set', '-r', 'db:1', 'a=b'], false],
    [['status-set', 'active'], false],
    [['action-get', '--format=json'], false],
    [['some-new-tool'], false],
  ])('%j → %s', (command, expected) => {
    expect(prefetchable(command)).toBe(expected);
  });
});

describe('PrefetchingRunner', () => {
  it('answers a prefetched read once, from the batch, without running it again', async () => {
    const w = world();
    w.data['config-get'] = 'v1';
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['config-get', '--format=json']]);
    w.data['config-get'] = 'v2'; // (cannot happen within a hook: shows where the answer came from)
    expect(runner.run('config-get', ['--format=json']).stdout).toBe('"v1"');
    expect(runner.run('config-get', ['--format=json']).stdout).toBe('"v2"');
    expect(w.calls).toEqual(['config-get --format=json', 'config-get --format=json']);
    expect(runner.stats).toEqual({ asked: 1, used: 1, dropped: 0 });
  });

  it('asks each command once and never asks what is not prefetchable', async () => {
    const w = world();
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['state-get'], ['state-get'], ['secret-get', 'secret:x', '--refresh'], ['relation-set', 'a=b']]);
    expect(w.calls).toEqual(['state-get']);
  });

  it('runs a failed read again, so the charm sees the real error', async () => {
    const w = world();
    w.failing.add('relation-get');
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['relation-get', '-r', 'db:1', '-', 'app/0']]);
    const result = runner.run('relation-get', ['-r', 'db:1', '-', 'app/0']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('relation-get failed');
    expect(w.calls).toHaveLength(2);
  });

  it('drops what our own write can have changed (our buffered writes are visible to our reads, §0.4)', async () => {
    const w = world();
    w.data['state-get'] = 'old';
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['state-get'], ['config-get']]);
    runner.run('state-set', ['--file', '-'], { input: '{"state-get":"new"}' });
    expect(runner.run('state-get', []).stdout).toBe('"new"');
    expect(runner.run('config-get', []).stdout).toBe('null'); // untouched by state-set: from the batch
    expect(w.calls).toEqual(['state-get', 'config-get', 'state-set --file -', 'state-get']);
  });

  it('treats a status-set or a log line as changing nothing, and an unknown tool as changing everything', async () => {
    const w = world();
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['state-get'], ['config-get']]);
    runner.run('status-set', ['active']);
    runner.run('juju-log', ['hello']);
    runner.run('state-get', []);
    expect(runner.stats.used).toBe(1);
    runner.run('brand-new-tool', []);
    runner.run('config-get', []);
    expect(runner.stats).toEqual({ asked: 2, used: 1, dropped: 1 });
  });

  it('a refresh outside the batch makes every plain secret read of the batch stale (§3.5 rules 2, 4)', async () => {
    const w = world();
    w.data['tracked'] = 'rev1';
    w.data['latest'] = 'rev2';
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['secret-get', 'secret:a']]);
    expect(runner.run('secret-get', ['secret:a', '--refresh']).stdout).toBe('rev2');
    expect(runner.run('secret-get', ['secret:a']).stdout).toBe('rev2'); // not the batch's rev1
  });

  it('a refresh taken from the batch makes only the plain reads asked before it stale', async () => {
    const w = world();
    w.data['tracked'] = 'rev1';
    w.data['latest'] = 'rev2';
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['secret-get', '--label', 'x'], ['secret-get', '--label', 'x', '--refresh'], ['secret-get', '--label', 'y']]);
    expect(runner.run('secret-get', ['--label', 'x', '--refresh']).stdout).toBe('rev2');
    expect(runner.run('secret-get', ['--label', 'y']).stdout).toBe('rev2'); // asked after the refresh: still good
    expect(runner.run('secret-get', ['--label', 'x']).stdout).toBe('rev2'); // asked before it: run again
    expect(w.calls.slice(3)).toEqual(['secret-get --label x']);
  });

  it('never prefetches a read that sends stdin, and never answers one from the batch', async () => {
    const w = world();
    const runner = new PrefetchingRunner(w.runner);
    await runner.prefetch([['config-get']]);
    runner.run('config-get', [], { input: 'x' });
    expect(w.calls).toEqual(['config-get', 'config-get']);
  });

  it('uses the runner batch (runMany) when it has one, and survives its failure', async () => {
    const w = world();
    const batches: number[] = [];
    const runner = new PrefetchingRunner({ ...w.runner, runMany: async (cs) => { batches.push(cs.length); return cs.map(() => ok('"b"')); } });
    await runner.prefetch([['config-get'], ['state-get']]);
    expect(batches).toEqual([2]);
    expect(runner.run('state-get', []).stdout).toBe('"b"');
    const broken = new PrefetchingRunner({ ...w.runner, runMany: () => Promise.reject(new Error('fork failed')) });
    await expect(broken.prefetch([['config-get']])).resolves.toBeUndefined();
    expect(broken.run('config-get', []).stdout).toBe('null');
  });
});
