/** Charm config and action params: typing, defaults and validation (contract §2.7, §2.11). */
import type { ActionSpec, CharmSpec } from './api.ts';
import { OperatorError } from './errors.ts';

export type ConfigValue = string | number | boolean;

/** Coerce a CLI/API value to the option's type (`juju config app k=v` passes strings). */
export function coerceConfig(charm: CharmSpec, key: string, value: string | number | boolean): ConfigValue {
  const spec = charm.config[key];
  if (!spec) throw new OperatorError(`unknown option "${key}"`);
  const bad = (): never => { throw new OperatorError(`option "${key}" expected ${spec.type}, got ${JSON.stringify(value)}`); };
  switch (spec.type) {
    case 'int': {
      const n = typeof value === 'number' ? value : /^-?\d+$/.test(String(value)) ? Number(value) : NaN;
      return Number.isInteger(n) ? n : bad();
    }
    case 'float': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) && String(value).trim() !== '' ? n : bad();
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (value === 'true') return true;
      if (value === 'false') return false;
      return bad();
    }
    default:
      return String(value);
  }
}

/** Effective config: defaults overlaid with set values (options with no value are absent). */
export function defaultConfig(charm: CharmSpec): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [k, spec] of Object.entries(charm.config)) if (spec.default !== undefined && spec.default !== null) out[k] = spec.default;
  return out;
}

/** Validate/type action params against actions.yaml and fill defaults. */
export function actionParams(spec: ActionSpec, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const params = spec.params ?? {};
  for (const [k, p] of Object.entries(params)) if (p.default !== undefined) out[k] = structuredClone(p.default);
  for (const [k, v] of Object.entries(given)) {
    const p = params[k];
    out[k] = p?.type ? coerceParam(k, p.type, v) : v;
  }
  return out;
}

function coerceParam(key: string, type: string, v: unknown): unknown {
  const bad = (): never => { throw new OperatorError(`validation failed: (root).${key} : expected ${type}, given ${typeof v}`); };
  switch (type) {
    case 'integer': { const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v; return Number.isInteger(n) ? n : bad(); }
    case 'number': { const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v; return typeof n === 'number' && Number.isFinite(n) ? n : bad(); }
    case 'boolean': return v === 'true' ? true : v === 'false' ? false : typeof v === 'boolean' ? v : bad();
    case 'string': return typeof v === 'string' ? v : String(v);
    default: return v;
  }
}
