/**
 * lib/juju public API (style.md #14): what a charm or a higher layer imports. Internals
 * (tools/*, the redaction patterns, test helpers under testing/) stay out; import them by
 * path when you really mean to.
 */
export { HookContext, classifyHook, parseRelationId, parseUnitName } from './context.ts';
export type { HookKind, RelationRef, UnitRef, SecretHookInfo, ActionInfo, StorageInfo, HookContextFields } from './context.ts';
export { JujuVersion, secretContentProblem } from './version.ts';
export type { SecretContentLimits } from './version.ts';
export { SpawnRunner, ExecaRunner } from './runner.ts';
export type { RunnerOptions } from './runner.ts';
export { Tools } from './hook-tools.ts';
export type { ToolsOptions } from './hook-tools.ts';
export { Logger } from './log.ts';
export type { LoggerOptions } from './log.ts';
export { Redactor } from './redact.ts';
export { defineCharm, dispatch, main, GENERIC_HOOK_KEYS } from './dispatch.ts';
export type { CharmDefinition, CharmContext, ActionContext, HookHandler, ReconcileHandler, ActionHandler, DispatchOptions } from './dispatch.ts';
export { active, blocked, waiting, maintenance, StatusError, BlockedStatus, WaitingStatus, MaintenanceStatus, ActionFailed } from './status.ts';
export type { UnitStatus } from './status.ts';
export {
  HookToolError, InvalidArgsError, PermissionDeniedError, NotFoundError, SecretNotFoundError,
  RelationNotFoundError, NotLeaderError, ToolMissingError, HookContextError, RelationAccessError, toolError,
} from './errors.ts';
export type {
  ToolResult, ToolRunOptions, ToolRunner, HookTools, StatusName, ReadStatusName, LogLevel, RelationIdString,
  StatusInfo, ApplicationStatusInfo, NetworkInfo, PortProtocol, PortRange, SecretOwner, SecretRotatePolicy,
  SecretMetadataOptions, SecretAddOptions, SecretGetOptions, SecretGrantInfo, SecretInfo, SecretRevokeOptions,
} from './types.ts';
