/**
 * Applies the stream agent's desired state: writes config.yaml and the certificates, and
 * restarts the agent when any of them changed (the agent has no reload). Nothing changed →
 * no command.
 */
import { applyFiles, PendingAction, resolveWorkloadDir, type FileChange } from '../../common/src/workload-files.ts';
import { execFileCommand, type CommandRunner } from '../../common/src/workload-commands.ts';
import { AGENT_COMMON_DIR, AGENT_FILES, AGENT_MANAGED_FILES, renderAgentFiles, type AgentWorkloadState } from './workload-render.ts';

export * from './workload-render.ts';

export interface AgentControl {
  restart(): Promise<void>;
}

export interface AgentApplyResult {
  readonly changes: readonly FileChange[];
  readonly restarted: boolean;
}

export function snapAgentControl(run: CommandRunner = execFileCommand): AgentControl {
  return { restart: () => run(['snap', 'restart', 'anbox-stream-agent']) };
}

export interface AgentWorkloadOptions {
  /** The agent's SNAP_COMMON; default the snap's, behind `CHARM_WORKLOAD_ROOT` if set. */
  readonly dir?: string;
  readonly control?: AgentControl;
}

export class AgentWorkload {
  readonly dir: string;
  readonly #control: AgentControl;

  constructor(options: AgentWorkloadOptions = {}) {
    this.dir = options.dir ?? resolveWorkloadDir(AGENT_COMMON_DIR);
    this.#control = options.control ?? snapAgentControl();
  }

  get configPath(): string {
    return `${this.dir}/${AGENT_FILES.config}`;
  }

  async apply(state: AgentWorkloadState): Promise<AgentApplyResult> {
    const changes = applyFiles(this.dir, renderAgentFiles(state, this.dir), AGENT_MANAGED_FILES);
    const pending = new PendingAction<'restart'>(this.dir, 'anbox-stream-agent');
    const restarted = changes.some((c) => c.kind !== 'mode') || pending.read() === 'restart';
    if (restarted) await pending.run('restart', () => this.#control.restart());
    return { changes, restarted };
  }
}
