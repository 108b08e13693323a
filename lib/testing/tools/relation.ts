/** relation-ids / -list / -get / -set / -model-get (contract §2.1–2.6). */
import { usageError } from '../engine/errors.ts';
import { settingsFrom } from './keyvalue.ts';
import { defineTool, RELATION_FLAG, relationFlag } from './tool.ts';
import { unrecognized } from './flags.ts';

const UNIT_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\/\d+$/;
const APP_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export const relationIds = defineTool({
  name: 'relation-ids', args: '<name>', summary: 'List all relation ids with the given relation name.',
  flags: [], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const [endpoint, ...extra] = parsed.positional;
    if (extra.length) throw unrecognized(extra);
    const ep = endpoint ?? ctx.currentEndpoint();
    if (ep === undefined) throw usageError(ctx.p.noEndpointMessage);
    return { value: ctx.relationIds(ep) };
  },
});

export const relationList = defineTool({
  name: 'relation-list', args: '', summary: 'List relation units.',
  flags: [RELATION_FLAG, { names: ['--app'], kind: 'bool', help: 'List remote application instead of participating units' }],
  formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const rid = relationFlag(ctx, parsed);
    if (parsed.positional.length) throw unrecognized(parsed.positional);
    if (rid === undefined) throw usageError('no relation id specified');
    return { value: parsed.flags['app'] ? ctx.relationApp(rid) : ctx.relationList(rid) };
  },
});

export const relationGet = defineTool({
  name: 'relation-get', args: '<key> <unit id>', summary: 'Get relation settings.',
  flags: [RELATION_FLAG, { names: ['--app'], kind: 'bool', help: 'Get the relation data for the overall application, not just a unit' }],
  formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const rid = relationFlag(ctx, parsed);
    const [keyArg, target, ...extra] = parsed.positional;
    if (rid === undefined) throw usageError('no relation id specified');
    const app = parsed.flags['app'] === true;
    let name = target;
    let readApp = app;
    if (name !== undefined) {
      if (!app) {
        if (APP_RE.test(name)) throw usageError(`expected unit name, got application name "${name}"`);
        if (!UNIT_RE.test(name)) throw usageError(`invalid unit name "${name}"`);
      } else if (UNIT_RE.test(name)) {
        name = name.slice(0, name.lastIndexOf('/'));
      } else if (!APP_RE.test(name)) {
        throw usageError(`invalid application name "${name}"`);
      }
    } else {
      const ru = ctx.currentRemoteUnit();
      if (!app && ru !== undefined) name = ru;
      else {
        name = ctx.currentRemoteApp();
        readApp = true;
      }
      if (name === undefined) throw usageError('no unit or application specified');
    }
    if (extra.length) throw unrecognized(extra);
    const key = keyArg === undefined || keyArg === '-' ? undefined : keyArg;
    const bag = readApp ? ctx.relationGetApp(rid, name) : ctx.relationGetUnit(rid, name);
    return { value: key === undefined ? bag : bag[key] };
  },
});

export const relationSet = defineTool({
  name: 'relation-set', args: 'key=value [key=value ...]', summary: 'Set relation settings.',
  flags: [RELATION_FLAG,
    { names: ['--app'], kind: 'bool', help: 'pick whether you are setting "application" settings or "unit" settings' },
    { names: ['--file'], kind: 'string', placeholder: 'value', help: 'file containing key-value pairs' }],
  deprecatedFormat: true,
  run(ctx, parsed, io) {
    const rid = relationFlag(ctx, parsed);
    const file = parsed.flags['file'];
    const settings = settingsFrom(typeof file === 'string' ? file : undefined, parsed.positional, io);
    if (rid === undefined) throw usageError('no relation id specified');
    ctx.relationSet(rid, parsed.flags['app'] === true, settings);
  },
});

export const relationModelGet = defineTool({
  name: 'relation-model-get', args: '', summary: 'Get details about the model hosting a related application.',
  flags: [RELATION_FLAG], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const rid = relationFlag(ctx, parsed);
    if (parsed.positional.length) throw unrecognized(parsed.positional);
    if (rid === undefined) throw usageError('no relation id specified');
    return { value: { uuid: ctx.relationModelUuid(rid) } };
  },
});
