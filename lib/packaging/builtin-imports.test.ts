import { describe, it, expect, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewriteBuiltinImports } from './builtin-imports.ts';

const BANNER = 'const require=process.getBuiltinModule("node:module").createRequire(import.meta.url);';
const work = mkdtempSync(join(tmpdir(), 'builtin-imports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `code` as an ES module file and returns what it printed. */
function run(code: string): string {
  const file = join(work, `m${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

describe('rewriteBuiltinImports', () => {
  it('turns every form esbuild prints into getBuiltinModule reads with the same bindings', () => {
    const body = [
      'import{readFileSync as r,existsSync}from"node:fs";',
      'import*as p from"node:path";',
      'import o from"node:os";',
      'import c,{spawnSync as s}from"node:child_process";',
      'import{default as u}from"url";',
      'import"node:util";',
      'console.log([r===process.getBuiltinModule("node:fs").readFileSync,typeof existsSync,p.join("a","b"),o===process.getBuiltinModule("node:os"),c.spawnSync===s,typeof u.fileURLToPath].join(" "));',
    ].join('');
    const out = rewriteBuiltinImports(`${BANNER}\n${body}`, BANNER);
    expect(out.rewritten).toBe(6);
    expect(out.code).not.toMatch(/\bimport\s*[{*"\w]/);
    expect(run(out.code)).toBe('true function a/b true true function');
  });

  it('hoists the bindings, as ESM does, so code before the statement may use them', () => {
    const out = rewriteBuiltinImports(`${BANNER}\nconsole.log(j("x","y"));import{join as j}from"node:path";`, BANNER);
    expect(run(out.code)).toBe('x/y');
  });

  it('keeps every column after the banner line, so source maps stay valid', () => {
    const code = `${BANNER}\nvar a=1;import{join as j}from"node:path";var MARK=j;\nimport{tmpdir as t}from"node:os";var MARK2=t;`;
    const out = rewriteBuiltinImports(code, BANNER);
    const lines = (s: string) => s.split('\n');
    expect(lines(out.code).length).toBe(lines(code).length);
    expect(lines(out.code)[1]!.indexOf('MARK')).toBe(lines(code)[1]!.indexOf('MARK'));
    expect(lines(out.code)[2]!.indexOf('MARK2')).toBe(lines(code)[2]!.indexOf('MARK2'));
    expect(lines(out.code)[0]!.startsWith(BANNER)).toBe(true);
  });

  it('leaves chunk imports, dynamic imports and import.meta alone', () => {
    const code = `${BANNER}\nimport{a as b}from"./chunk-ABC.mjs";import"./chunk-DEF.mjs";var x=()=>import("node:fs"),y=import.meta.url;`;
    const out = rewriteBuiltinImports(code, BANNER);
    expect(out).toEqual({ code, rewritten: 0 });
  });

  it('also rewrites the un-minified form', () => {
    const out = rewriteBuiltinImports(`${BANNER}\nimport { join as j, sep } from "node:path";\nconsole.log(j("a", sep === "/" ? "b" : "c"));`, BANNER);
    expect(out.rewritten).toBe(1);
    expect(run(out.code)).toBe('a/b');
  });

  it('refuses a chunk that does not start with the banner line (a hashbang first, say)', () => {
    expect(() => rewriteBuiltinImports('import"node:fs";', BANNER)).toThrow(/banner/);
    expect(() => rewriteBuiltinImports(`#!/usr/bin/env node\n${BANNER}\nimport"node:fs";`, BANNER)).toThrow(/banner/);
  });
});
