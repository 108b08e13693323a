/**
 * Applies AMS's desired state: writes the rendered files, then does only what the change
 * calls for:
 * - settings.yaml, the API certificate/key or the etcd client files changed → restart AMS;
 * - a trusted client added or removed → `trust add` / `trust remove` for that fingerprint
 *   only, recorded in the trust store file (no restart);
 * - a config item changed → set that item only, recorded in config-items.yaml (no restart).
 * A second apply with the same state changes no file and runs no command.
 */
import { request } from 'node:http';
import { existsSync, rmSync } from 'node:fs';
import { applyFiles, PendingAction, readIfExists, resolveWorkloadDir, writeAtomic, type DesiredFile, type FileChange } from '../../common/src/workload-files.ts';
import { execFileCommand, WorkloadCommandError, type CommandRunner } from '../../common/src/workload-commands.ts';
import {
  AMS_COMMON_DIR,
  AMS_FILES,
  AMS_RESTART_FILES,
  AMS_SECRET_CONFIG_ITEMS,
  parseConfigItems,
  parseTrustStore,
  configItemsFile,
  renderAmsServiceFiles,
  trustStoreFile,
  trustStoreEntries,
  type AmsTrustedClient,
  type AmsWorkloadState,
  type TrustStoreEntry,
} from './workload-render.ts';
import type { DerivedMemo } from './certificate-verdicts.ts';

export * from './workload-render.ts';

/** Memo key: the trust store record that a fully synced apply left, and the clients it was for. */
export const TRUST_SYNC_KEY = 'ams.trust-record';

export interface AmsControl {
  restart(): Promise<void>;
  trustClient(entry: TrustStoreEntry): Promise<void>;
  untrustClient(fingerprint: string): Promise<void>;
  setConfigItem(name: string, value: string): Promise<void>;
}

export interface AmsApplyResult {
  readonly changes: readonly FileChange[];
  readonly restarted: boolean;
  readonly trusted: readonly string[];
  readonly untrusted: readonly string[];
  readonly configItemsSet: readonly string[];
  /** Config items not applied because AMS's API is not up yet; retried by the next hook. */
  readonly configItemsPending: readonly string[];
}

// Looked up on PATH like `snap`/`systemctl`: a machine hook's PATH ends in /snap/bin on
// Ubuntu, and the simulator's machine emulation puts a recording stand-in there instead.
const AMC = 'amc';

/**
 * The snap on a real machine, as the published charm drives it (canonical/ams-operator
 * src/ams.py: `amc config trust add <file>` / `trust remove <fingerprint>`, `amc config set`,
 * snap restart). A credential item is not put on argv: it goes to AMS's REST API
 * (`PATCH /1.0/config` with `{name, value}`) over the local unix socket instead; that
 * endpoint and socket path are taken from AMS's API reference, not verified on a live AMS.
 */
export function snapAmsControl(dir: string, run: CommandRunner = execFileCommand): AmsControl {
  return {
    restart: () => run(['snap', 'restart', 'ams']),
    async trustClient(entry) {
      // A certificate is public; amc (a strict snap) can read files under SNAP_COMMON only.
      const file = `${dir}/trust-${entry.fingerprint.slice(0, 16)}.crt`;
      writeAtomic(file, entry.certificate, 0o644);
      try {
        await run([AMC, 'config', 'trust', 'add', file]);
      } catch (err) {
        if (!(err instanceof WorkloadCommandError && err.stderr.includes('already exists'))) throw err;
      } finally {
        rmSync(file, { force: true });
      }
    },
    untrustClient: (fingerprint) => run([AMC, 'config', 'trust', 'remove', fingerprint]),
    setConfigItem: (name, value) =>
      AMS_SECRET_CONFIG_ITEMS.has(name) ? patchConfigOverSocket(`${dir}/server/unix.socket`, name, value) : run([AMC, 'config', 'set', name, value]),
  };
}

/**
 * AMS's API socket is absent or refuses connections: the service is not up (snap still
 * installing or restarting; in the simulator there is no AMS process at all). The item stays
 * pending and is retried by the next hook's reconcile, rather than failing the hook.
 */
export class AmsApiUnavailableError extends Error {
  override readonly name = 'AmsApiUnavailableError';
}

function patchConfigOverSocket(socketPath: string, name: string, value: string): Promise<void> {
  const body = JSON.stringify({ name, value });
  if (!existsSync(socketPath)) return Promise.reject(new AmsApiUnavailableError(`AMS API socket ${socketPath} is not there`));
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path: '/1.0/config', method: 'PATCH', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`AMS refused config item ${name}: HTTP ${status}`));
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? new AmsApiUnavailableError(`AMS API not accepting connections (${err.code})`, { cause: err }) : err));
    req.end(body);
  });
}

export interface AmsWorkloadOptions {
  /** AMS's SNAP_COMMON; default the snap's, behind `CHARM_WORKLOAD_ROOT` if set. */
  readonly dir?: string;
  readonly control?: AmsControl;
}

export class AmsWorkload {
  readonly dir: string;
  readonly #control: AmsControl;
  /** The trust store record as last parsed, by file content: one parse per hook, not one per reader. */
  #trustRecord: { readonly content: string | undefined; readonly entries: readonly TrustStoreEntry[] } | undefined;

  constructor(options: AmsWorkloadOptions = {}) {
    this.dir = options.dir ?? resolveWorkloadDir(AMS_COMMON_DIR);
    this.#control = options.control ?? snapAmsControl(this.dir);
  }

  path(file: string): string {
    return `${this.dir}/${file}`;
  }

  /**
   * What AMS has been told so far (the charm's records): the last good state to keep through
   * invalid remote data. `trusted` is read when first used (it holds every client certificate),
   * so read it before apply().
   */
  recorded(): { readonly trusted: TrustStoreEntry[]; readonly configItems: Record<string, string> } {
    const read = () => [...this.#readTrustRecord().entries];
    let trusted: TrustStoreEntry[] | undefined;
    return {
      get trusted() {
        return (trusted ??= read());
      },
      configItems: parseConfigItems(readIfExists(this.dir, AMS_FILES.configItems)),
    };
  }

  #readTrustRecord(content = readIfExists(this.dir, AMS_FILES.trustStore)): { readonly content: string | undefined; readonly entries: readonly TrustStoreEntry[] } {
    if (!this.#trustRecord || this.#trustRecord.content !== content) this.#trustRecord = { content, entries: parseTrustStore(content) };
    return this.#trustRecord;
  }

  /**
   * `memo` (the unit's derived-data memo): when the trust store record and the trusted clients
   * are what a previous apply fully synced, the record is not even parsed (it holds every
   * client certificate: ~800 KB at 1000 clients).
   */
  async apply(state: AmsWorkloadState, options: { readonly memo?: DerivedMemo | undefined } = {}): Promise<AmsApplyResult> {
    const changes = applyFiles(this.dir, renderAmsServiceFiles(state, this.dir), AMS_RESTART_FILES);
    const pending = new PendingAction<'restart'>(this.dir, 'ams');
    const restarted = changes.some((c) => c.kind !== 'mode') || pending.read() === 'restart';
    if (restarted) await pending.run('restart', () => this.#control.restart());

    const trust = await this.#syncTrust(state, options.memo);
    const items = await this.#syncConfigItems(state);
    return { changes: [...changes, ...trust.changes, ...items.changes], restarted, trusted: trust.trusted, untrusted: trust.untrusted, configItemsSet: items.set, configItemsPending: items.pending };
  }

  /**
   * The trust store file records what AMS has been told, so it is written after the amc calls
   * that make it true: when a call fails, the record keeps what did succeed and the retried
   * hook redoes only the rest.
   */
  async #syncTrust(state: AmsWorkloadState, memo: DerivedMemo | undefined) {
    const clients = clientsDigest(state.trustedClients);
    const synced = (content: string) => trustSyncValue(content, clients);
    const content = readIfExists(this.dir, AMS_FILES.trustStore);
    // The clients are compared first: when they changed, the record (every certificate) is not hashed.
    const remembered = memo?.get(TRUST_SYNC_KEY);
    if (remembered?.endsWith(`:${clients}`) && content !== undefined && remembered === synced(content)) return { changes: [], trusted: [], untrusted: [] };
    const record = this.#readTrustRecord(content);
    const wanted = wantedTrustEntries(state.trustedClients, record.entries);
    const current = new Map(record.entries.map((e) => [e.fingerprint, e]));
    const keep = new Set(wanted.map((e) => e.fingerprint));
    const trusted: string[] = [];
    const untrusted: string[] = [];
    let changes: FileChange[] = [];
    let done = false;
    try {
      for (const e of wanted) {
        if (current.has(e.fingerprint)) continue;
        await this.#control.trustClient(e);
        current.set(e.fingerprint, e);
        trusted.push(e.fingerprint);
      }
      for (const fp of [...current.keys()]) {
        if (keep.has(fp)) continue;
        await this.#control.untrustClient(fp);
        current.delete(fp);
        untrusted.push(fp);
      }
      done = true;
    } finally {
      const entries = done ? wanted : [...current.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
      // The same entries as recorded: skip rendering (every certificate) and
      // comparing. An empty list is cheap to render, and rewrites a record that did not parse.
      const same = record.content !== undefined && entries.length > 0 && sameTrustEntries(entries, record.entries);
      const file = same ? undefined : trustStoreFile(entries);
      changes = file ? writeTrustRecord(this.dir, file, record.content) : [];
      // Remembered only once AMS was told everything (a failed call leaves it to the next hook).
      if (done && memo) memo.set(TRUST_SYNC_KEY, synced(file?.content ?? record.content ?? ''));
    }
    return { changes, trusted, untrusted };
  }

  /** Same pattern for the config items: the record follows what AMS accepted. */
  async #syncConfigItems(state: AmsWorkloadState) {
    const current = parseConfigItems(readIfExists(this.dir, AMS_FILES.configItems));
    const names = [...new Set([...Object.keys(current), ...Object.keys(state.configItems)])].sort();
    const set: string[] = [];
    const pending: string[] = [];
    let changes: FileChange[] = [];
    try {
      for (const name of names) {
        // An item the charm no longer owns is reset to empty, AMS's "not set".
        const value = state.configItems[name] ?? '';
        if ((current[name] ?? '') === value) continue;
        try {
          await this.#control.setConfigItem(name, value);
        } catch (err) {
          if (!(err instanceof AmsApiUnavailableError)) throw err;
          pending.push(name);
          continue;
        }
        if (value === '') delete current[name];
        else current[name] = value;
        set.push(name);
      }
    } finally {
      changes = applyFiles(this.dir, [configItemsFile(current)], [AMS_FILES.configItems]);
    }
    return { changes, set, pending };
  }
}

/**
 * trustStoreEntries(clients), without parsing again a certificate the record already holds in
 * the same text (the record stores the normalised PEM with its fingerprint): only new
 * certificates are parsed, so a hook where one unit changed parses one certificate.
 */
export function wantedTrustEntries(clients: readonly AmsTrustedClient[], recorded: readonly TrustStoreEntry[]): TrustStoreEntry[] {
  // By name first (short keys; the usual case), by text for the rest (a certificate that two
  // units send is recorded under one name). Keying every certificate text costs hashing it.
  const byName = new Map(recorded.map((e) => [e.name, e]));
  let byText: Map<unknown, TrustStoreEntry> | undefined;
  const known: TrustStoreEntry[] = [];
  const fresh: AmsTrustedClient[] = [];
  for (const c of clients) {
    let e = byName.get(c.name);
    if (e?.certificate !== c.certificate) e = (byText ??= new Map(recorded.map((r) => [r.certificate, r]))).get(c.certificate);
    if (e) known.push({ fingerprint: e.fingerprint, name: c.name, certificate: e.certificate });
    else fresh.push(c);
  }
  // Same rules as trustStoreEntries: one entry per fingerprint, the smallest name, sorted.
  const byFingerprint = new Map<string, TrustStoreEntry>();
  for (const e of [...known, ...trustStoreEntries(fresh)]) {
    const existing = byFingerprint.get(e.fingerprint);
    if (!existing || e.name < existing.name) byFingerprint.set(e.fingerprint, e);
  }
  return [...byFingerprint.values()].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
}

/**
 * applyFiles for the trust store record, without reading again the text this hook read at its
 * start (~800 KB at 1000 clients): a different text is written, the same text gets its mode fixed.
 */
function writeTrustRecord(dir: string, file: DesiredFile, current: string | undefined): FileChange[] {
  if (current === undefined || file.content !== current) {
    writeAtomic(`${dir}/${file.path}`, file.content, file.mode);
    return [{ path: file.path, kind: current === undefined ? 'created' : 'updated' }];
  }
  return applyFiles(dir, [file], [file.path]);
}

function sameTrustEntries(a: readonly TrustStoreEntry[], b: readonly TrustStoreEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.fingerprint === b[i]?.fingerprint && e.name === b[i]?.name && e.certificate === b[i]?.certificate);
}

/**
 * node:crypto at call time (~8 ms to load, issue 8), so a hook that syncs no trust record does
 * not pay; native rather than pure-JS SHA-256: the record is ~800 KB at 1000 clients.
 */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

/** The TRUST_SYNC_KEY value: the record's text and the clients it holds, as SHA-256 digests. */
export function trustSyncValue(record: string, clients: readonly AmsTrustedClient[] | string): string {
  return `v1:${nodeCrypto().hash('sha256', record, 'hex')}:${typeof clients === 'string' ? clients : clientsDigest(clients)}`;
}

/** SHA-256 over the clients' names and certificate texts, in order. */
function clientsDigest(clients: readonly AmsTrustedClient[]): string {
  const hash = nodeCrypto().createHash('sha256');
  for (const c of clients) hash.update(`${c.name}\0${c.certificate}\0`);
  return hash.digest('hex');
}
