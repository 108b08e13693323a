/**
 * Machine emulation: each simulated unit gets the two things its real machine would give a
 * charm besides the unit agent.
 *
 * - A root directory (`CHARM_WORKLOAD_ROOT`) under which the charm's workload files land, so
 *   units of one model never overwrite each other's `/var/snap/...` files. Charms honour this
 *   variable only as a path prefix; on a real machine it is unset and the real paths are used.
 * - Recording stand-ins for the host's service commands (`snap`, `snapctl`, `systemctl`, `amc`),
 *   placed after the hook tools on PATH: they append their argv to
 *   `$CHARM_WORKLOAD_ROOT/.machine/commands.log` and succeed, so a charm's restart/reload
 *   decisions are visible to tests without a snapd on this machine.
 *
 * Juju itself has no such variable; it is the simulator's stand-in for "another machine".
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MACHINE_COMMANDS = ['snap', 'snapctl', 'systemctl', 'amc'] as const;

// Shell builtins only (one process, not four): the hook benchmarks time what the charm does,
// and a real `snap restart` costs what snapd costs, not what this stand-in costs.
const STAND_IN = `#!/bin/sh
# jujusim machine stand-in for a host service command: records argv, succeeds.
root="\${CHARM_WORKLOAD_ROOT:-\${TMPDIR:-/tmp}}"
[ -d "$root/.machine" ] || mkdir -p "$root/.machine"
printf '%s\\n' "\${0##*/} $*" >> "$root/.machine/commands.log"
exit 0
`;

/** The unit's machine root: `<home>/machines/<model>/<app>-<n>`. */
export function machineRoot(home: string, model: string, unit: string): string {
  return join(home, 'machines', model, unit.replace('/', '-'));
}

/** Creates (once) the directory of stand-in service commands and returns it. */
export function ensureMachineBin(home: string): string {
  const dir = join(home, 'machine-bin');
  mkdirSync(dir, { recursive: true });
  for (const name of MACHINE_COMMANDS) {
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== STAND_IN) writeFileSync(path, STAND_IN);
    chmodSync(path, 0o755);
  }
  return dir;
}

/** Service commands a unit's charm ran so far, one argv line each. */
export function machineCommands(home: string, model: string, unit: string): string[] {
  const log = join(machineRoot(home, model, unit), '.machine', 'commands.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}
