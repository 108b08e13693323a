/**
 * Precompiles the databag JSON Schemas in `schemas/` into one ESM module per interface in
 * `generated/` (validators from `ajv/dist/standalone`, field metadata, error messages and
 * TypeScript types). Hooks then load a few KB of plain functions instead of paying
 * `ajv.compile` (~60 ms per schema per process, ../../../shared/tooling.md).
 *
 *   npx node lib/relations/compile-schemas.ts          # (re)write generated/*.ts
 *   npx node lib/relations/compile-schemas.ts --check  # exit 1 if generated/ is stale
 *
 * Schema files are named `<interface>.<side>.<bag>.json` (side provider|requirer|peer, bag
 * unit|app); `common.json` holds shared `$defs`. Two annotation keywords are ours:
 * `message` (a human reason, string or per-keyword map, used in invalid-data reports) and
 * `jsonEncoded` (a top-level field whose string value is JSON; the schema describes the
 * decoded value).
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

const here = dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = join(here, 'schemas');
export const GENERATED_DIR = join(here, 'generated');

const BAG_FILE = /^([a-z0-9-]+)\.(provider|requirer|peer)\.(unit|app)\.json$/;

// The CJS default export arrives either as the function or as `{ default: fn }`.
const standaloneCode = ((standaloneModule as unknown as { default?: unknown }).default ?? standaloneModule) as (ajv: Ajv, refs: Record<string, string>) => string;

interface BagSchemaFile { iface: string; key: string; id: string; schema: Schema }

function readSchemas(dir: string): { common: Schema; bags: BagSchemaFile[] } {
  const common = JSON.parse(readFileSync(join(dir, 'common.json'), 'utf8')) as Schema;
  const bags: BagSchemaFile[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (file === 'common.json') continue;
    const m = BAG_FILE.exec(file);
    if (!m) throw new Error(`${file}: schema files must be named <interface>.<provider|requirer|peer>.<unit|app>.json`);
    const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Schema;
    if (schema.$id !== file) throw new Error(`${file}: $id must equal the file name`);
    bags.push({ iface: m[1]!, key: `${m[2]}.${m[3]}`, id: file, schema });
  }
  return { common, bags };
}

/** Walk a schema collecting `message` annotations by `<id>#<json-pointer>`. */
function collectMessages(id: string, node: Json, pointer: string, out: Record<string, Json>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) { node.forEach((n, i) => collectMessages(id, n, `${pointer}/${i}`, out)); return; }
  if (node.message !== undefined) out[`${id}#${pointer}`] = node.message;
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'message') collectMessages(id, v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
  }
}

// ---- TypeScript types for the decoded bag (the subset of JSON Schema our schemas use) ----
function resolveRef(ref: string, common: Schema): Schema {
  const m = /^common\.json#\/\$defs\/(\w+)$/.exec(ref);
  const defs = common.$defs as Record<string, Schema> | undefined;
  const target = m ? defs?.[m[1]!] : undefined;
  if (!target) throw new Error(`unsupported $ref ${ref}`);
  return target;
}

function tsType(schema: Schema, common: Schema, indent: string): string {
  if (typeof schema.$ref === 'string') return tsType(resolveRef(schema.$ref, common), common, indent);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'string': return 'string';
    case 'boolean': return 'boolean';
    case 'integer': case 'number': return 'number';
    case 'array': return `Array<${tsType(schema.items as Schema, common, indent)}>`;
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      const lines = Object.entries(props).map(([name, p]) => {
        const doc = typeof p.description === 'string' ? `${indent}  /** ${p.description.replace(/\*\//g, '* /')} */\n` : '';
        return `${doc}${indent}  readonly ${JSON.stringify(name)}${required.has(name) ? '' : '?'}: ${tsType(p, common, `${indent}  `)};`;
      });
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    default: throw new Error(`unsupported schema type ${JSON.stringify(schema.type)}`);
  }
}

function typeName(key: string): string {
  return key.split('.').map((s) => s[0]!.toUpperCase() + s.slice(1)).join('');
}

// ajv's standalone output `require`s ucs2length for maxLength/minLength; inline it so the
// module is pure ESM with no runtime dependency on ajv.
const UCS2LENGTH = 'function ucs2length(str){const len=str.length;let length=0;let pos=0;let value;while(pos<len){length++;value=str.charCodeAt(pos++);if(value>=0xd800&&value<=0xdbff&&pos<len){value=str.charCodeAt(pos);if((value&0xfc00)===0xdc00)pos++;}}return length;}';

function standaloneFor(common: Schema, bags: BagSchemaFile[]): string {
  const ajv = new Ajv({ code: { source: true, esm: true, lines: true }, allErrors: true, strict: true, strictRequired: false });
  ajv.addKeyword({ keyword: 'message', schemaType: ['string', 'object'] });
  ajv.addKeyword({ keyword: 'jsonEncoded', schemaType: 'boolean' });
  ajv.addSchema(common as never);
  for (const b of bags) ajv.addSchema(b.schema as never);
  const refs = Object.fromEntries(bags.map((b) => [`validate_${b.key.replace('.', '_')}`, b.id]));
  let code = standaloneCode(ajv, refs).replace(/^"use strict";/, '');
  code = code.replace(/const (\w+) = require\("ajv\/dist\/runtime\/ucs2length"\)\.default;/g, 'const $1 = ucs2length;');
  if (/require\(/.test(code)) throw new Error('standalone code still requires an ajv runtime module; inline it in compile-schemas.ts');
  return `${UCS2LENGTH}\n${code}`;
}

export const GENERATED_HEADER = '// GENERATED by lib/relations/compile-schemas.ts from lib/relations/schemas/*.json. DO NOT EDIT.\n// Regenerate: npx node lib/relations/compile-schemas.ts (tests fail when this file is stale).\n';

function moduleFor(iface: string, common: Schema, bags: BagSchemaFile[]): string {
  const messages: Record<string, Json> = {};
  collectMessages('common.json', common, '', messages);
  for (const b of bags) collectMessages(b.id, b.schema, '', messages);
  const types = bags.map((b) => `/** ${String(b.schema.title ?? b.id)} */\nexport interface ${typeName(b.key)} ${tsType(b.schema, common, '')}`);
  const bagMap = bags.map((b) => {
    const props = (b.schema.properties ?? {}) as Record<string, Schema>;
    const fields = Object.keys(props);
    const jsonFields = fields.filter((f) => props[f]!.jsonEncoded === true);
    return `  ${JSON.stringify(b.key)}: { id: ${JSON.stringify(b.id)}, validate: validate_${b.key.replace('.', '_')}, fields: ${JSON.stringify(fields)}, jsonFields: ${JSON.stringify(jsonFields)} },`;
  });
  return [
    GENERATED_HEADER,
    '// @ts-nocheck -- ajv standalone output is plain JavaScript; the typed surface is at the end.',
    `/* eslint-disable */`,
    standaloneFor(common, bags),
    '',
    ...types,
    '',
    `/** Decoded shape of each bag of the ${JSON.stringify(iface)} interface, keyed "<side>.<bag>". */`,
    `export interface Bags {\n${bags.map((b) => `  ${JSON.stringify(b.key)}: ${typeName(b.key)};`).join('\n')}\n}`,
    '',
    `export const name = ${JSON.stringify(iface)};`,
    `export const messages = ${JSON.stringify(messages, null, 2)};`,
    `export const bags = {\n${bagMap.join('\n')}\n};`,
    '',
  ].join('\n');
}

/** Every generated file name and its content, computed from the schema directory. */
export function generateAll(dir: string = SCHEMA_DIR): Map<string, string> {
  const { common, bags } = readSchemas(dir);
  const byIface = new Map<string, BagSchemaFile[]>();
  for (const b of bags) byIface.set(b.iface, [...(byIface.get(b.iface) ?? []), b]);
  const out = new Map<string, string>();
  for (const [iface, list] of [...byIface].sort(([a], [b]) => a.localeCompare(b))) out.set(`${iface}.ts`, moduleFor(iface, common, list));
  return out;
}

function main(argv: readonly string[]): number {
  const files = generateAll();
  if (argv.includes('--check')) {
    const stale = [...files].filter(([name, content]) => {
      try { return readFileSync(join(GENERATED_DIR, name), 'utf8') !== content; } catch { return true; }
    }).map(([n]) => n);
    if (stale.length) { process.stderr.write(`stale generated validators: ${stale.join(', ')}\n`); return 1; }
    return 0;
  }
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const [name, content] of files) writeFileSync(join(GENERATED_DIR, name), content);
  process.stdout.write(`wrote ${[...files.keys()].map((n) => `generated/${n}`).join(', ')}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
