/** secret-add/-get/-set/-grant/-revoke/-remove/-ids/-info-get (contract §3.4, §3.5). */
import type { SecretMeta } from '../engine/context.ts';
import { runtimeError, usageError } from '../engine/errors.ts';
import type { Bag } from '../engine/state.ts';
import { unrecognized, type FlagSpec, type ParsedArgs } from './flags.ts';
import { goStruct, NIL_LIST } from './format.ts';
import { parseExpire, parseSecretArgs, parseSecretFile, ROTATE_POLICIES } from './secret-args.ts';
import { parseSecretRef } from '../engine/secrets.ts';
import type { HookContext } from '../engine/context.ts';
import type { ToolIO } from './io.ts';
import { defineTool, RELATION_FLAG, relationFlag } from './tool.ts';

const META_FLAGS: FlagSpec[] = [
  { names: ['--owner'], kind: 'string', placeholder: 'value', default: 'application', help: 'the owner of the secret, either the application or unit' },
  { names: ['--label'], kind: 'string', placeholder: 'value', help: 'a label used to identify the secret in hooks' },
  { names: ['--description'], kind: 'string', placeholder: 'value', help: 'the secret description' },
  { names: ['--expire'], kind: 'string', placeholder: 'value', help: 'either a duration or time when the secret should expire' },
  { names: ['--rotate'], kind: 'string', placeholder: 'value', help: 'the secret rotation policy' },
  { names: ['--file'], kind: 'string', placeholder: 'value', help: 'a YAML file containing secret key values' },
];
const UNIT_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\/\d+$/;
const APP_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

function meta(ctx: HookContext, parsed: ParsedArgs): SecretMeta {
  const m: SecretMeta = {};
  const f = parsed.flags;
  if (typeof f['rotate'] === 'string') {
    if (!ROTATE_POLICIES.includes(f['rotate'])) throw usageError(`rotate policy "${f['rotate']}" not valid`);
    m.rotate = f['rotate'];
  }
  if (typeof f['expire'] === 'string') m.expire = parseExpire(f['expire'], ctx.now());
  if (typeof f['label'] === 'string') m.label = f['label'];
  if (typeof f['description'] === 'string') m.description = f['description'];
  return m;
}
function owner(parsed: ParsedArgs): 'application' | 'unit' {
  const o = parsed.flags['owner'] ?? 'application';
  if (o !== 'application' && o !== 'unit') throw usageError(`secret owner "${String(o)}" not valid`);
  return o;
}
function content(parsed: ParsedArgs, args: readonly string[], io: ToolIO): Bag {
  const fromArgs = parseSecretArgs(args, io);
  const file = parsed.flags['file'];
  return typeof file === 'string' ? { ...fromArgs, ...parseSecretFile(file, io) } : fromArgs;
}
/** The secret id positional, checked like Init does (exit 2). */
function secretArg(ref: string | undefined): { id: string; shown: string } {
  if (ref === undefined) throw usageError('missing secret URI');
  return { id: parseSecretRef(ref), shown: ref };
}

export const secretAdd = defineTool({
  name: 'secret-add', args: '[key[#base64|#file]=value...]', summary: 'Add a new secret.', flags: META_FLAGS,
  run(ctx, parsed, io) {
    const o = owner(parsed);
    const m = meta(ctx, parsed);
    if (parsed.positional.length === 0 && parsed.flags['file'] === undefined) throw usageError('missing secret value or filename');
    const data = content(parsed, parsed.positional, io);
    return { raw: `${ctx.secretAdd(o, data, m)}\n` };
  },
});

export const secretSet = defineTool({
  name: 'secret-set', args: '<ID> [key[#base64|#file]=value...]', summary: 'Update an existing secret.', flags: META_FLAGS,
  run(ctx, parsed, io) {
    const [ref, ...rest] = parsed.positional;
    const { id, shown } = secretArg(ref);
    owner(parsed);
    const m = meta(ctx, parsed);
    const data = rest.length || parsed.flags['file'] !== undefined ? content(parsed, rest, io) : undefined;
    ctx.secretSet(id, shown, data, m);
  },
});

export const secretGet = defineTool({
  name: 'secret-get', args: '<ID> [key[#base64]]', summary: 'Get the content of a secret.',
  flags: [
    { names: ['--label'], kind: 'string', placeholder: 'value', help: 'a label used to identify the secret in hooks' },
    { names: ['--peek'], kind: 'bool', help: 'get the latest revision just this time' },
    { names: ['--refresh'], kind: 'bool', help: 'get the latest revision and also get this same revision for subsequent calls' },
  ],
  formats: ['yaml', 'json'], defaultFormat: 'yaml',
  run(ctx, parsed) {
    const [ref, keyArg, ...extra] = parsed.positional;
    const label = typeof parsed.flags['label'] === 'string' ? parsed.flags['label'] : undefined;
    if (ref === undefined && label === undefined) throw usageError('require either a secret URI or label');
    if (extra.length) throw unrecognized(extra);
    const peek = parsed.flags['peek'] === true;
    const refresh = parsed.flags['refresh'] === true;
    if (peek && refresh) throw usageError('specify one of --peek or --refresh but not both');
    const id = ctx.resolveSecret(ref, label);
    const opts: { peek: boolean; refresh: boolean; label?: string } = { peek, refresh };
    if (ref !== undefined && label !== undefined) opts.label = label;
    const data = ctx.secretGet(id, ref ?? label!, opts);
    if (keyArg === undefined) {
      return { value: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) };
    }
    const raw = keyArg.endsWith('#base64');
    const key = raw ? keyArg.slice(0, -7) : keyArg;
    const v = data[key];
    if (v === undefined) throw runtimeError(`secret key value "${key}" not found`);
    return { value: raw ? v : Buffer.from(v, 'base64').toString('utf8') };
  },
});

export const secretInfoGet = defineTool({
  name: 'secret-info-get', args: '<ID>', summary: 'Get a secret\'s metadata info.',
  flags: [{ names: ['--label'], kind: 'string', placeholder: 'value', help: 'a label used to identify the secret' }],
  formats: ['yaml', 'json'], defaultFormat: 'yaml',
  run(ctx, parsed) {
    const [ref, ...extra] = parsed.positional;
    const label = typeof parsed.flags['label'] === 'string' ? parsed.flags['label'] : undefined;
    if (ref !== undefined && label !== undefined) throw usageError('specify either a secret URI or label but not both');
    if (ref === undefined && label === undefined) throw usageError('require either a secret URI or label');
    if (extra.length) throw unrecognized(extra);
    let id: string;
    try {
      id = ctx.resolveSecret(ref, label);
    } catch (e) {
      if (ref === undefined) throw runtimeError(`secret "${label}" not found`);
      throw e;
    }
    const info = ctx.secretInfo(id, ref ?? label!);
    // Contract §3.4: struct field order revision, label, owner, description, rotation, expiry, rotates, access.
    const entry = goStruct({
      revision: info.revision, label: info.label, owner: info.owner, description: info.description,
      rotation: info.rotation, expiry: info.expiry, rotates: info.rotates,
      access: info.access?.map((a) => goStruct({ target: a.target, scope: a.scope, role: a.role })),
    });
    return { value: { [info.id]: entry } };
  },
});

export const secretIds = defineTool({
  name: 'secret-ids', args: '', summary: 'Print secret ids.', flags: [], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    if (parsed.positional.length) throw unrecognized(parsed.positional);
    const ids = ctx.secretIds();
    return { value: ids.length ? ids : NIL_LIST };
  },
});

export const secretGrant = defineTool({
  name: 'secret-grant', args: '<ID>', summary: 'Grant access to a secret.',
  flags: [RELATION_FLAG, { names: ['--unit'], kind: 'string', placeholder: 'value', help: 'the unit to grant access' }],
  run(ctx, parsed) {
    const [ref, ...extra] = parsed.positional;
    const { id, shown } = secretArg(ref);
    const unit = parsed.flags['unit'];
    if (typeof unit === 'string' && !UNIT_RE.test(unit)) throw usageError(`unit "${unit}" not valid`);
    if (parsed.flags['relation'] === undefined) throw usageError('no relation id specified');
    const rid = relationFlag(ctx, parsed)!;
    if (extra.length) throw unrecognized(extra);
    ctx.secretGrant(id, shown, rid, typeof unit === 'string' ? unit : undefined);
  },
});

export const secretRevoke = defineTool({
  name: 'secret-revoke', args: '<ID>', summary: 'Revoke access to a secret.',
  flags: [RELATION_FLAG,
    { names: ['--app', '--application'], kind: 'string', placeholder: 'value', help: 'the application to revoke access' },
    { names: ['--unit'], kind: 'string', placeholder: 'value', help: 'the unit to revoke access' }],
  run(ctx, parsed) {
    const [ref, ...extra] = parsed.positional;
    const { id, shown } = secretArg(ref);
    const app = parsed.flags['app'];
    const unit = parsed.flags['unit'];
    if (typeof app === 'string' && !APP_RE.test(app)) throw usageError(`application "${app}" not valid`);
    if (typeof unit === 'string' && !UNIT_RE.test(unit)) throw usageError(`unit "${unit}" not valid`);
    if (app !== undefined && unit !== undefined) throw usageError('specify only one of application or unit');
    const explicitRel = parsed.flags['relation'] !== undefined;
    if (explicitRel && app !== undefined) throw usageError('do not specify both relation and app');
    const rid = explicitRel ? relationFlag(ctx, parsed) : app === undefined && unit === undefined ? ctx.currentRelationId() : undefined;
    if (rid === undefined && app === undefined && unit === undefined) throw usageError('missing relation or application or unit');
    if (extra.length) throw unrecognized(extra);
    const by: { relationId?: number; app?: string; unit?: string } = {};
    if (typeof unit === 'string') by.unit = unit;
    else if (typeof app === 'string') by.app = app;
    else by.relationId = rid!;
    ctx.secretRevoke(id, shown, by);
  },
});

export const secretRemove = defineTool({
  name: 'secret-remove', args: '<ID>', summary: 'Remove an existing secret.',
  flags: [{ names: ['--revision'], kind: 'string', placeholder: 'value', help: 'remove the specified revision' }],
  run(ctx, parsed) {
    const [ref, ...extra] = parsed.positional;
    const { id, shown } = secretArg(ref);
    if (extra.length) throw unrecognized(extra);
    const rev = parsed.flags['revision'];
    let revision: number | undefined;
    if (typeof rev === 'string') {
      if (!/^\d+$/.test(rev) || Number(rev) < 1) throw usageError(`invalid value "${rev}" for option --revision: strconv.Atoi: parsing "${rev}": invalid syntax`);
      revision = Number(rev);
    }
    ctx.secretRemove(id, shown, revision);
  },
});
