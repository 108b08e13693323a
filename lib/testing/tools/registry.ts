/**
 * The tool-name → handler table (style.md #8, like goopstest/command_runner.go). Both
 * transports call `runHookTool`; the version personality decides which names exist.
 */
import type { ToolResult } from '../../juju/types.ts';
import type { HookContext } from '../engine/context.ts';
import type { Personality } from '../engine/version.ts';
import { actionFail, actionGet, actionLog, actionSet } from './action.ts';
import { configGet, isLeader, leaderGet, leaderSet } from './config-leader.ts';
import type { ToolIO } from './io.ts';
import { closePort, networkGet, openedPorts, openPort, unitGet } from './network.ts';
import { relationGet, relationIds, relationList, relationModelGet, relationSet } from './relation.ts';
import { secretAdd, secretGet, secretGrant, secretIds, secretInfoGet, secretRemove, secretRevoke, secretSet } from './secret.ts';
import { stateDelete, stateGet, stateSet } from './state.ts';
import { applicationVersionSet, jujuLog, statusGet, statusSet } from './status.ts';
import { execute, type ToolDef } from './tool.ts';

export type { ToolIO } from './io.ts';

const TOOLS: ReadonlyMap<string, ToolDef> = new Map([
  relationIds, relationList, relationGet, relationSet, relationModelGet,
  configGet, isLeader, leaderGet, leaderSet, stateGet, stateSet, stateDelete,
  statusSet, statusGet, jujuLog, applicationVersionSet,
  networkGet, unitGet, openPort, closePort, openedPorts,
  actionGet, actionSet, actionFail, actionLog,
  secretAdd, secretGet, secretSet, secretGrant, secretRevoke, secretRemove, secretIds, secretInfoGet,
].map((t) => [t.name, t]));

/** Does this personality put `tool` on PATH? (2.9: no secret tools, contract §3.1.) */
export function toolAvailable(p: Personality, tool: string): boolean {
  if (!TOOLS.has(tool)) return false;
  if (tool.startsWith('secret-')) return p.secrets;
  if (tool === 'relation-model-get') return p.relationModelGet;
  return true;
}

export function runHookTool(ctx: HookContext, tool: string, args: readonly string[], io: ToolIO): ToolResult {
  const def = TOOLS.get(tool);
  if (!def) return { stdout: '', stderr: `${tool}: command not found\n`, exitCode: 127 };
  return execute(def, ctx, args, io);
}
