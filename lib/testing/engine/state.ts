/**
 * The engine's persisted state: plain JSON (toJSON/loadEngine round-trip it exactly).
 * Open hook contexts are NOT part of it (they live only in the engine object).
 *
 * Naming: a unit key is `<model>/<app>/<n>`, an app key `<model>/<app>` (model names never
 * contain `/`). Relations live at world level because a cross-model relation has one record
 * and an id in each of its two models (contract §4).
 */
import type { CharmSpec } from './api.ts';

export type Bag = Record<string, string>;

export interface StatusValue { status: string; message: string; since: number }

export interface PortEntry { endpoint: string; protocol: 'tcp' | 'udp' | 'icmp'; from?: number; to?: number }

export interface UnitState {
  name: string;            // app/n
  number: number;
  machine: string;
  address: string;         // private/ingress address (tests may override with setUnitAddress)
  publicAddress: string;
  life: 'alive' | 'dying';
  workload: StatusValue;
  agent: StatusValue;
  /** Workload status saved when a hook failed, restored by resolve. */
  beforeError?: StatusValue;
  /** Set while the head of the queue is a failed hook (blocks the queue until resolve). */
  failedHook?: string;
  /** Automatic retry of the failed hook (contract §1.5): attempts so far and when the next is due. */
  retry?: { attempts: number; at: number };
  installed: boolean;
  state: Bag;
  ports: PortEntry[];
  queue: QueuedHook[];
}

export interface AppState {
  name: string;
  charm: CharmSpec;
  config: Record<string, string | number | boolean>;
  leader: string | null;   // unit name
  leaderSettings: Bag;
  nextUnit: number;
  units: Record<string, UnitState>;
  status: StatusValue | null;   // set with status-set --application
  version: string;
  life: 'alive' | 'dying';
}

export interface OfferState { name: string; app: string; endpoints: string[]; url: string }
export interface SaasState { name: string; url: string; model: string; offer: string }

export interface ActionState {
  id: string;
  unit: string;
  name: string;
  params: Record<string, unknown>;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  message: string;
  results: Record<string, unknown>;
  log: Array<{ time: number; message: string }>;
  enqueued: number;
  started?: number;
  completed?: number;
}

export interface ModelState {
  name: string;
  uuid: string;
  version: string;
  /** Model config `automatically-retry-hooks` (default true, contract §1.5). */
  retryHooks: boolean;
  index: number;
  relationSeq: number;
  actionSeq: number;
  addressSeq: number;
  apps: Record<string, AppState>;
  offers: Record<string, OfferState>;
  saas: Record<string, SaasState>;
  /** Offering side: remote-<hex> token -> consuming app key. */
  remoteApps: Record<string, string>;
  actions: Record<string, ActionState>;
  created: number;
}

export interface RelationEnd {
  model: string;
  app: string;
  endpoint: string;
  role: 'provider' | 'requirer' | 'peer';
  /** How the OTHER end's model names this app (app name, SAAS name or remote-<hex>). */
  seenAs: string;
}

export interface RelationView {
  /** Remote unit keys this local unit has seen join (relation-list). */
  remotes: string[];
  broken: boolean;
}

export interface RelationState {
  key: string;
  interface: string;
  peer: boolean;
  ends: RelationEnd[];
  /** Relation id in each model it spans. */
  ids: Record<string, number>;
  life: 'alive' | 'dying';
  /** Set (to the operator's message) while a cross-model relation is suspended (contract §4.1). */
  suspended?: string;
  cmr: boolean;
  /** For a cross-model relation: the model that holds the offer (only it may grant secrets, §4.3). */
  offeringModel?: string;
  /** Unit bags keyed by unit key, app bags by `app:<app key>`. */
  bags: Record<string, Bag>;
  /** Unit keys that entered scope (ran relation-created). */
  scope: string[];
  /** Units that ever entered scope: their bags stay readable after departure. */
  views: Record<string, RelationView>;
}

export interface SecretRevision { content: Bag; created: number; updated: number; expire?: number; expiredFired?: number }
export interface SecretGrant { relation: string; target: string; scope: 'app' | 'unit' }
export interface SecretState {
  id: string;
  model: string;
  ownerKind: 'application' | 'unit';
  /** App key or unit key of the owner. */
  owner: string;
  label?: string;
  description?: string;
  rotate?: string;
  nextRotate?: number;
  latest: number;
  revisions: Record<string, SecretRevision>;
  grants: SecretGrant[];
  /**
   * Consumer (and, >= 3.1.7, owner) tracking records keyed by unit key. Removing a relation
   * does NOT drop them (so the revision a departed consumer tracks is kept): Juju deletes consumer
   * records when the consuming unit or application goes (juju/juju state/application.go,
   * DestroyApplicationOperation.deleteSecrets → `RemoveSecretConsumer(app tag)`), not when a
   * relation or grant goes. Looked up for issue 8; the contract is silent.
   */
  tracking: Record<string, { revision: number; label?: string }>;
  /** Revisions for which secret-remove was already queued. */
  removeNotified: number[];
  created: number;
  updated: number;
}

export interface QueuedHook {
  seq: number;
  name: string;
  kind: 'hook' | 'action';
  relation?: string;
  remoteUnit?: string;       // unit key
  remoteApp?: string;        // app key ('' when none)
  departing?: string;        // unit key
  secret?: string;           // bare id
  secretRevision?: number;
  action?: string;           // action id
  /** Set when the hook is a unit-bag/app-bag change notification (dedupe key). */
  changeOf?: string;
}

export interface LogLine { time: number; model: string; unit: string; level: string; module: string; message: string }
export interface ToolCall { model: string; unit: string; hook: string; tool: string; args: string[]; exitCode: number }

export interface WorldState {
  format: 1;
  seq: number;             // hook queue sequence
  contextSeq: number;
  relationSeq: number;     // world relation keys
  modelSeq: number;
  clockOffset: number;
  rng: number;             // seeded interleaving PRNG state
  seeded: boolean;         // EngineOptions.seed was given at creation
  lastUpdateStatus: number;
  models: Record<string, ModelState>;
  relations: Record<string, RelationState>;
  secrets: Record<string, SecretState>;
  log: LogLine[];
  toolCalls: ToolCall[];
}
