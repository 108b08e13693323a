/** status-set, status-get, juju-log, application-version-set (contract §2.9, §2.10, §2.15). */
import { usageError } from '../engine/errors.ts';
import { unrecognized } from './flags.ts';
import { defineTool } from './tool.ts';

const SETTABLE = ['maintenance', 'blocked', 'waiting', 'active'];
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

export const statusSet = defineTool({
  name: 'status-set', args: '<maintenance | blocked | waiting | active> [message]', summary: 'Set status information.',
  flags: [{ names: ['--application'], kind: 'bool', help: 'set this status for the application to which the unit belongs if the unit is the leader' }],
  run(ctx, parsed) {
    const [status, message, ...extra] = parsed.positional;
    if (status === undefined) throw usageError('invalid args, require <status> [message]');
    if (!SETTABLE.includes(status)) throw usageError(`invalid status "${status}", expected one of [${SETTABLE.join(' ')}]`);
    if (extra.length) throw unrecognized(extra);
    ctx.statusSet(parsed.flags['application'] === true, status, message ?? '');
  },
});

export const statusGet = defineTool({
  name: 'status-get', args: '[--include-data] [--application]', summary: 'Print status information.',
  flags: [
    { names: ['--include-data'], kind: 'bool', help: 'print all status data' },
    { names: ['--application'], kind: 'bool', help: 'print status for all units of this application if this unit is the leader' },
  ],
  formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    if (parsed.positional.length) throw unrecognized(parsed.positional);
    const data = parsed.flags['include-data'] === true;
    const entry = (s: { status: string; message: string }): Record<string, unknown> =>
      (data ? { message: s.message, status: s.status, 'status-data': {} } : { status: s.status });
    if (parsed.flags['application'] === true) {
      const a = ctx.applicationStatus();
      const units: Record<string, unknown> = {};
      for (const [u, s] of Object.entries(a.units)) units[u] = entry(s);
      return { value: { 'application-status': { ...entry(a), units } } };
    }
    const s = ctx.unitStatus();
    const format = parsed.flags['format'] ?? 'smart';
    return { value: !data && format === 'smart' ? s.status : entry(s) };
  },
});

export const jujuLog = defineTool({
  name: 'juju-log', args: '<message>', summary: 'Write a message to the juju log.',
  flags: [
    { names: ['--debug'], kind: 'bool', help: 'log at debug level' },
    { names: ['-l', '--log-level'], kind: 'string', placeholder: 'value', default: 'INFO', help: 'Send log message at the given level' },
  ],
  deprecatedFormat: true,
  run(ctx, parsed) {
    if (parsed.positional.length === 0) throw usageError('no message specified');
    let level = typeof parsed.flags['log-level'] === 'string' ? parsed.flags['log-level'].toUpperCase() : 'INFO';
    if (parsed.flags['debug'] === true) level = 'DEBUG';
    if (!LEVELS.includes(level)) {
      // Contract §2.10: an invalid level logs a warning and uses INFO (warning text unverified).
      ctx.log('WARNING', `Specified log level (${String(parsed.flags['log-level'])}) is not a valid log level`);
      level = 'INFO';
    }
    ctx.log(level, parsed.positional.join(' '));
  },
});

export const applicationVersionSet = defineTool({
  name: 'application-version-set', args: '<new-version>', summary: 'Specify which version of the application is deployed.', flags: [],
  run(ctx, parsed) {
    const [v, ...extra] = parsed.positional;
    if (v === undefined) throw usageError('no version specified');
    if (extra.length) throw unrecognized(extra);
    ctx.applicationVersionSet(v);
  },
});
