import { describe, it, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureMachineBin, machineCommands, machineRoot } from './machine.ts';

describe('machine emulation', () => {
  it('gives each unit its own root and records service commands there', () => {
    const home = mkdtempSync(join(tmpdir(), 'machine-'));
    const bin = ensureMachineBin(home);
    for (const unit of ['nats/0', 'nats/1']) {
      const env = { ...process.env, CHARM_WORKLOAD_ROOT: machineRoot(home, 'm', unit), PATH: `${bin}:/usr/bin:/bin` };
      execFileSync('snap', ['restart', unit === 'nats/0' ? 'nats' : 'nats.server'], { env });
    }
    expect(machineCommands(home, 'm', 'nats/0')).toEqual(['snap restart nats']);
    expect(machineCommands(home, 'm', 'nats/1')).toEqual(['snap restart nats.server']);
    expect(machineCommands(home, 'm', 'nats/2')).toEqual([]);
  });
});
