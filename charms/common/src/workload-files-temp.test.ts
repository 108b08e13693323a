/**
 * writeAtomic's temp names are unique, not secret (no node:crypto): a name already taken must
 * be skipped, never opened. Own file: the name's counter starts afresh with the module.
 */
import { describe, it, expect, afterEach, jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from './workload-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'wl-temp-'));
afterEach(() => { jest.restoreAllMocks(); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAtomic temp names', () => {
  it('skips a temp name that exists (a planted file or symlink) and writes the key 0600', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const target = join(dir, 'client.key');
    const suffix = (0.5).toString(36).slice(2, 10);
    const planted = `${target}.${process.pid}-1-${suffix}.tmp`;
    const link = `${target}.${process.pid}-2-${suffix}.tmp`;
    writeFileSync(planted, 'planted');
    symlinkSync(join(dir, 'elsewhere'), link);

    writeAtomic(target, 'KEY\n', 0o600);

    expect(readFileSync(target, 'utf8')).toBe('KEY\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readFileSync(planted, 'utf8')).toBe('planted');
    expect(readdirSync(dir).sort()).toEqual(['client.key', `client.key.${process.pid}-1-${suffix}.tmp`, `client.key.${process.pid}-2-${suffix}.tmp`]);
  });
});
