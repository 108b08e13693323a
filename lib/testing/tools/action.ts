/** action-get, action-set, action-fail, action-log (contract §2.11). */
import { usageError } from '../engine/errors.ts';
import { unrecognized } from './flags.ts';
import { defineTool } from './tool.ts';

const SEGMENT = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const RESERVED = ['stdout', 'stdout-encoding', 'stderr', 'stderr-encoding'];

export const actionGet = defineTool({
  name: 'action-get', args: '[<key>[.<key>.<key>...]]', summary: 'Get action parameters.', flags: [], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const [path, ...extra] = parsed.positional;
    if (extra.length) throw unrecognized(extra);
    const params = ctx.actionParams();
    if (path === undefined) return { value: params };
    let node: unknown = params;
    for (const seg of path.split('.')) {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(seg in (node as object))) return { value: undefined };
      node = (node as Record<string, unknown>)[seg];
    }
    return { value: node };
  },
});

export const actionSet = defineTool({
  name: 'action-set', args: '<key>=<value> [<key>=<value> ...]', summary: 'Set action results.', flags: [],
  run(ctx, parsed) {
    const pairs: Array<[string[], string]> = [];
    for (const arg of parsed.positional) {
      const eq = arg.indexOf('=');
      if (eq < 0) throw usageError(`argument "${arg}" must be of the form key...=value`);
      const key = arg.slice(0, eq);
      const path = key.split('.');
      for (const seg of path) {
        if (!SEGMENT.test(seg)) throw usageError(`key "${key}" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods`);
      }
      if (path.length === 1 && RESERVED.includes(key)) throw usageError(`cannot set reserved action key "${key}"`);
      pairs.push([path, arg.slice(eq + 1)]);
    }
    for (const [path, value] of pairs) ctx.actionSet(path, value);
    if (pairs.length === 0) ctx.actionParams(); // still "not running an action" outside one
  },
});

export const actionFail = defineTool({
  name: 'action-fail', args: '["<failure message>"]', summary: 'Set action fail status with message.', flags: [],
  run(ctx, parsed) {
    const [message, ...extra] = parsed.positional;
    if (extra.length) throw unrecognized(extra);
    ctx.actionFail(message ?? 'action failed without reason given, check action for errors');
  },
});

export const actionLog = defineTool({
  name: 'action-log', args: '<message>', summary: 'Record a progress message for the current action.', flags: [],
  run(ctx, parsed) {
    if (parsed.positional.length === 0) throw usageError('no message specified');
    ctx.actionLog(parsed.positional.join(' '));
  },
});
