/**
 * Packaging fixture charm: logs which hook ran (contract §2.10 juju-log) and sets
 * `active` status (contract §2.9 status-set). Node builtins only, so packing it needs
 * nothing else from the library; it proves the bundled runtime really runs the bundle.
 */
import { execFileSync } from 'node:child_process';

function hookTool(tool: string, args: readonly string[]): void {
  execFileSync(tool, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

// contract §1.1: JUJU_DISPATCH_PATH is `hooks/<name>` or `actions/<name>`.
const dispatchPath = process.env['JUJU_DISPATCH_PATH'] ?? '';
const hook = dispatchPath.split('/').pop() ?? '';

hookTool('juju-log', ['--', `packaging-fixture: ${hook} on node ${process.version} at ${process.execPath}`]);
hookTool('status-set', ['active', `ran ${hook}`]);
