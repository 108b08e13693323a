/** config-get, is-leader, leader-get, leader-set (contract §2.7, §2.8). */
import { usageError } from '../engine/errors.ts';
import { unrecognized } from './flags.ts';
import { parseKeyValues } from './keyvalue.ts';
import { defineTool } from './tool.ts';

export const configGet = defineTool({
  name: 'config-get', args: '[<key>]', summary: 'Print application configuration.',
  flags: [{ names: ['-a', '--all'], kind: 'bool', help: 'print all keys' }], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const [key, ...extra] = parsed.positional;
    if (extra.length) throw unrecognized(extra);
    const all = parsed.flags['all'] === true;
    if (all && key !== undefined) throw usageError(`cannot use argument --all together with key "${key}"`);
    const config = ctx.config();
    if (key !== undefined) return { value: config[key] ?? undefined };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) if (v !== null || all) out[k] = v;
    return { value: out };
  },
});

export const isLeader = defineTool({
  name: 'is-leader', args: '', summary: 'Print application leadership status.', flags: [], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    if (parsed.positional.length) throw unrecognized(parsed.positional);
    return { value: ctx.isLeader() };
  },
});

export const leaderGet = defineTool({
  name: 'leader-get', args: '[<key>]', summary: 'Print application leadership settings.', flags: [], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const [key, ...extra] = parsed.positional;
    if (extra.length) throw unrecognized(extra);
    if (key !== undefined && key.includes('=')) throw usageError(`invalid key "${key}"`);
    const s = ctx.leaderGet();
    return { value: key === undefined || key === '-' ? s : s[key] };
  },
});

export const leaderSet = defineTool({
  name: 'leader-set', args: '<key>=<value> [...]', summary: 'Write application leadership settings.', flags: [],
  run(ctx, parsed) {
    ctx.leaderSet(parseKeyValues(parsed.positional));
  },
});
