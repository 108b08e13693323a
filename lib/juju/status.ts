/**
 * Status the charm reports (contract §2.9): values to return from `reconcile`, and errors to
 * throw for expected conditions. dispatch turns a thrown StatusError into `status-set` and a
 * successful exit (the hook did what it could; Juju must not retry it as a failure).
 */
import type { StatusName } from './types.ts';

export interface UnitStatus {
  readonly name: StatusName;
  readonly message: string;
}

export const active = (message = ''): UnitStatus => ({ name: 'active', message });
export const blocked = (message: string): UnitStatus => ({ name: 'blocked', message });
export const waiting = (message: string): UnitStatus => ({ name: 'waiting', message });
export const maintenance = (message: string): UnitStatus => ({ name: 'maintenance', message });

/** An expected condition that ends the hook with a status instead of a failure. */
export class StatusError extends Error {
  override readonly name: string = 'StatusError';
  readonly status: UnitStatus;
  constructor(status: UnitStatus) {
    super(`${status.name}: ${status.message}`);
    this.status = status;
  }
}

/** The operator must act (bad config, missing relation). */
export class BlockedStatus extends StatusError {
  override readonly name = 'BlockedStatus';
  constructor(message: string) {
    super(blocked(message));
  }
}

/** Waiting on something outside this unit (a remote app, the leader). Juju will run more hooks. */
export class WaitingStatus extends StatusError {
  override readonly name = 'WaitingStatus';
  constructor(message: string) {
    super(waiting(message));
  }
}

/** The unit is busy with work of its own that a later hook finishes. */
export class MaintenanceStatus extends StatusError {
  override readonly name = 'MaintenanceStatus';
  constructor(message: string) {
    super(maintenance(message));
  }
}

/** Thrown by an action handler for an expected failure: becomes `action-fail <message>`. */
export class ActionFailed extends Error {
  override readonly name = 'ActionFailed';
}
