/** state-get / state-set / state-delete (contract §2.13). */
import { runtimeError, usageError } from '../engine/errors.ts';
import { unrecognized } from './flags.ts';
import { NIL_MAP } from './format.ts';
import { settingsFrom } from './keyvalue.ts';
import { defineTool } from './tool.ts';

export const stateGet = defineTool({
  name: 'state-get', args: '[<key>]', summary: 'Print server-side-state value.',
  flags: [{ names: ['--strict'], kind: 'bool', help: 'Return an error if the requested key does not exist' }], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const [key, ...extra] = parsed.positional;
    if (extra.length) throw unrecognized(extra);
    const s = ctx.stateGet();
    if (key === undefined || key === '-') return { value: Object.keys(s).length ? s : NIL_MAP };
    if (!(key in s)) {
      if (parsed.flags['strict'] === true) throw runtimeError(`"${key}" not found`);
      return { value: '' };
    }
    return { value: s[key] };
  },
});

export const stateSet = defineTool({
  name: 'state-set', args: 'key=value [key=value ...]', summary: 'Set server-side-state values.',
  flags: [{ names: ['--file'], kind: 'string', placeholder: 'value', help: 'file containing key-value pairs' }],
  run(ctx, parsed, io) {
    const file = parsed.flags['file'];
    ctx.stateSet(settingsFrom(typeof file === 'string' ? file : undefined, parsed.positional, io));
  },
});

export const stateDelete = defineTool({
  name: 'state-delete', args: '<key>', summary: 'Delete server-side-state key value pairs.', flags: [],
  run(ctx, parsed) {
    const [key, ...extra] = parsed.positional;
    // Contract §2.13 gives no text for a missing key argument; this is juju's Init wording (unverified).
    if (key === undefined) throw usageError('specify a key');
    if (extra.length) throw unrecognized(extra);
    ctx.stateDelete(key);
  },
});
