/**
 * Applies the NATS desired state to the machine: writes the rendered files and then restarts
 * or reloads nats-server only when something it reads changed.
 *
 * - listener / monitor / cluster listener changes, or TLS switched on or off → restart;
 * - anything else it reads (certificate, key, CA, authorization, routes) → reload (SIGHUP),
 *   so a renewed certificate is picked up without dropping clients (a defect of the
 *   published charm, which never reloaded on renewal);
 * - nothing changed → no command at all.
 */
import { applyFiles, PendingAction, readIfExists, resolveWorkloadDir, type FileChange } from '../../common/src/workload-files.ts';
import { execFileCommand, type CommandRunner } from '../../common/src/workload-commands.ts';
import {
  NATS_FILES,
  NATS_MANAGED_FILES,
  NATS_SERVER_DIR,
  renderNatsFiles,
  restartRelevant,
  type NatsWorkloadState,
} from './workload-render.ts';

export * from './workload-render.ts';

/** How the charm controls the running server; a recording fake in unit tests. */
export interface NatsControl {
  restart(): Promise<void>;
  reload(): Promise<void>;
}

export type NatsAction = 'none' | 'reload' | 'restart';

export interface NatsApplyResult {
  readonly changes: readonly FileChange[];
  readonly action: NatsAction;
}

/**
 * The snap on a real machine. The published charm restarts the whole `nats` snap and reads
 * the `server` app's state (canonical/nats-operator src/nats.py), so the systemd unit is
 * `snap.nats.server.service`; nats-server reloads its configuration on SIGHUP.
 */
export function snapNatsControl(run: CommandRunner = execFileCommand): NatsControl {
  return {
    restart: () => run(['snap', 'restart', 'nats']),
    reload: () => run(['systemctl', 'kill', '--signal=SIGHUP', '--kill-whom=main', 'snap.nats.server.service']),
  };
}

export interface NatsWorkloadOptions {
  /** Directory holding nats.cfg; default the snap's, behind `CHARM_WORKLOAD_ROOT` if set. */
  readonly dir?: string;
  readonly control?: NatsControl;
}

export class NatsWorkload {
  readonly dir: string;
  readonly #control: NatsControl;

  constructor(options: NatsWorkloadOptions = {}) {
    this.dir = options.dir ?? resolveWorkloadDir(NATS_SERVER_DIR);
    this.#control = options.control ?? snapNatsControl();
  }

  get configPath(): string {
    return `${this.dir}/${NATS_FILES.config}`;
  }

  async apply(state: NatsWorkloadState): Promise<NatsApplyResult> {
    const files = renderNatsFiles(state, this.dir);
    const config = files.find((f) => f.path === NATS_FILES.config)!.content;
    const before = readIfExists(this.dir, NATS_FILES.config);
    const pending = new PendingAction<'restart' | 'reload'>(this.dir, 'nats');
    const changes = applyFiles(this.dir, files, NATS_MANAGED_FILES);
    const action = strongest(decideAction(before, config, changes), pending.read() ?? 'none');
    if (action !== 'none') {
      await pending.run(action, () => (action === 'restart' ? this.#control.restart() : this.#control.reload()));
    }
    return { changes, action };
  }
}

/** A mode-only fix changes nothing nats-server reads, so it needs no signal. */
export function decideAction(before: string | undefined, after: string, changes: readonly FileChange[]): NatsAction {
  if (!changes.some((c) => c.kind !== 'mode')) return 'none';
  if (before === undefined || restartRelevant(before) !== restartRelevant(after)) return 'restart';
  return 'reload';
}

const STRENGTH: Record<NatsAction, number> = { none: 0, reload: 1, restart: 2 };

function strongest(a: NatsAction, b: NatsAction): NatsAction {
  return STRENGTH[a] >= STRENGTH[b] ? a : b;
}
