/**
 * A directory of hook-tool names, each a symlink to the client executable, put first on a hook's
 * PATH (contract §0.1). Only the tools of the model's personality are linked, so on a 2.9 model a
 * charm calling `secret-get` gets the shell's "command not found" (exit 127) as on a real agent.
 */
import { mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Makes `dir` hold exactly one symlink per name in `toolNames`, all pointing at `client`. */
export function syncToolsDir(dir: string, client: string, toolNames: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  const wanted = new Set(toolNames);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    let target: string | undefined;
    try { target = readlinkSync(path); } catch { target = undefined; }
    if (!wanted.has(entry) || target !== client) rmSync(path, { force: true });
  }
  for (const name of wanted) {
    if (name.includes('/') || name === '' || name.startsWith('.')) throw new Error(`bad tool name ${JSON.stringify(name)}`);
    try { symlinkSync(client, join(dir, name)); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
