/**
 * Rewrites the `import ... from "node:fs"` statements esbuild leaves in an ESM chunk into
 * `process.getBuiltinModule("node:fs")` reads (issue 8, hook start-up).
 *
 * Why: an ESM import of a builtin makes Node build an ES module facade over it, copying every
 * export (and so running lazy getters such as `fs.promises`). Measured on Node 24: importing
 * node:fs, which Node has already loaded, costs ~5 ms of CPU this way; a charm's entry starts
 * ~4 ms sooner reading its builtins with getBuiltinModule, which returns the CommonJS exports
 * object as `require` would (README.md "Start-up").
 *
 * How, keeping source maps valid: each statement is blanked with spaces of the same length, and
 * one `const` holding every binding goes at the end of the chunk's first line, the banner (no
 * mapped code there). Imports are hoisted in ESM, so declaring them all first keeps their
 * semantics; builtins are never reassigned, so a const copy equals the live binding.
 */
import { builtinModules } from 'node:module';
import { PackagingError } from './errors.ts';

const BUILTINS: ReadonlySet<string> = new Set(builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])));

/**
 * One import statement as esbuild prints it when minifying: `import"m";`, `import d from"m";`,
 * `import*as n from"m";`, `import{a as b,c}from"m";`, `import d,{a}from"m";`, `import d,*as n from"m";`.
 * It starts a statement: after `;`, `}`, a newline or at the start of the text.
 */
const IMPORT = /(?<=^|[;}\n])import(?:\s*([\w$]+)\s*,?)?(?:\s*\*\s*as\s+([\w$]+))?(?:\s*\{([^}]*)\})?\s*(?:from\s*)?"([^"]+)";/g;

export interface RewriteResult {
  readonly code: string;
  /** Statements rewritten: the caller checks this against esbuild's metafile. */
  readonly rewritten: number;
}

/** A Node builtin's specifier, with or without `node:`. */
export function isBuiltin(specifier: string): boolean {
  return BUILTINS.has(specifier);
}

/**
 * `a as b,c,default as d` -> [`{a:b,c}=read`, `d=read`]. A builtin's ESM default export is its
 * CommonJS exports object, which is what getBuiltinModule returns, not a `default` property of it.
 */
function namedDeclarations(named: string, read: string): string[] {
  const props: string[] = [];
  const out: string[] = [];
  for (const part of named.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name = part, local = name] = part.split(/\s+as\s+/);
    if (name === 'default') out.push(`${local}=${read}`);
    else props.push(local === name ? name : `${name}:${local}`);
  }
  if (props.length > 0) out.unshift(`{${props.join(',')}}=${read}`);
  return out;
}

/** `code` must start with `banner` and a newline: the declarations go at the end of that line. */
export function rewriteBuiltinImports(code: string, banner: string): RewriteResult {
  if (!code.startsWith(`${banner}\n`)) throw new PackagingError('a bundle chunk does not start with the banner line to declare builtins on');
  const firstLineEnd = banner.length;
  const declarations: string[] = [];
  let rewritten = 0;
  const rest = code.slice(firstLineEnd).replace(IMPORT, (statement: string, def?: string, ns?: string, named?: string, specifier = '') => {
    if (!isBuiltin(specifier)) return statement;
    const read = `process.getBuiltinModule(${JSON.stringify(specifier.startsWith('node:') ? specifier : `node:${specifier}`)})`;
    if (def) declarations.push(`${def}=${read}`);
    if (ns) declarations.push(`${ns}=${read}`);
    if (named !== undefined) declarations.push(...namedDeclarations(named, read));
    // A side-effect-only import of a builtin (`import"node:fs";`) needs nothing: builtins have none.
    rewritten++;
    return ' '.repeat(statement.length);
  });
  return { code: declarations.length > 0 ? `${banner}const ${declarations.join(',')};${rest}` : banner + rest, rewritten };
}
