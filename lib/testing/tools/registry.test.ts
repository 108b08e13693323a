/** Every tool of contract §2/§3 is registered, answers --help, and exists per version personality. */
import { describe, expect, it } from '@jest/globals';
import { TOOL_NAMES } from './names.ts';
import { inUnit, scene } from './testkit.ts';

describe('tool registry (contract §0.2, §3.1, §2.5)', () => {
  it.each(TOOL_NAMES.map((t) => [t]))('%s --help prints usage with exit 0 on 3.6.8', (tool) => {
    const { engine } = scene();
    const r = inUnit(engine, 'db/0').run(`${tool} --help`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith(`Usage: ${tool} [options]`)).toBe(true);
    expect(r.stdout).toContain('Summary:');
  });

  it('personalities: 3.6.8 offers every tool; 3.6.1 lacks relation-model-get; 2.9 lacks secrets and relation-model-get', () => {
    const names = (v: string) => scene(v).engine.toolNames('m');
    expect(names('3.6.8')).toEqual([...TOOL_NAMES]);
    expect(names('3.6.1')).toEqual(TOOL_NAMES.filter((t) => t !== 'relation-model-get'));
    expect(names('2.9.49')).toEqual(TOOL_NAMES.filter((t) => !t.startsWith('secret-') && t !== 'relation-model-get'));
  });

  it('unknown tools answer like a shell: exit 127', () => {
    const { engine } = scene();
    expect(inUnit(engine, 'db/0').run('goal-state')).toEqual({ stdout: '', stderr: 'goal-state: command not found\n', exitCode: 127 });
  });
});
