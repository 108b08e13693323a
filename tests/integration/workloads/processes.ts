/**
 * Real server processes for the workload integration tests: a free loopback port, a spawned
 * process whose lifetime is bounded (killed after `maxLifetimeMs` even if a test hangs, and
 * by `stopAll` in afterAll), and waiting for a line in its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The binary's path, or undefined when it is not installed (the suite then skips, saying so). */
export function findBinary(...candidates: string[]): string | undefined {
  return candidates.find((c) => existsSync(c));
}

export class ServerProcess {
  readonly child: ChildProcess;
  #output = '';
  readonly #waiters: Array<{ pattern: RegExp; from: number; resolve: () => void }> = [];
  readonly #killTimer: NodeJS.Timeout;
  #exited = false;

  constructor(file: string, args: readonly string[], maxLifetimeMs = 60_000) {
    this.child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => {
      this.#output += chunk.toString();
      for (const w of [...this.#waiters]) {
        if (w.pattern.test(this.#output.slice(w.from))) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.child.on('exit', () => {
      this.#exited = true;
    });
    this.#killTimer = setTimeout(() => this.child.kill('SIGKILL'), maxLifetimeMs);
    this.#killTimer.unref();
  }

  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return !this.#exited;
  }

  /** Output length now: pass it to `waitFor` to match only what is logged after this point. */
  mark(): number {
    return this.#output.length;
  }

  waitFor(pattern: RegExp, timeoutMs = 10_000, from = 0): Promise<void> {
    if (pattern.test(this.#output.slice(from))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${this.#output}`)), timeoutMs);
      this.#waiters.push({
        pattern,
        from,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`process exited (${code}) before ${pattern}; output:\n${this.#output}`));
      });
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.#killTimer);
    if (this.#exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}
