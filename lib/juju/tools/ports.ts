/** open-port / close-port / opened-ports (contract §2.14). */
import type { PortProtocol, PortRange, ToolRunner } from '../types.ts';
import { call, callJson, asStringList } from './run.ts';

/** `80/tcp`, `8000-8999/udp` or `icmp`: Juju's port syntax (contract §2.14). */
export function formatPort(port: PortRange): string {
  if (port.protocol === 'icmp') return 'icmp';
  if (port.from === undefined) throw new Error(`a ${port.protocol} port needs a number`);
  const to = port.to ?? port.from;
  if (!validPort(port.from) || !validPort(to) || to < port.from) throw new Error(`invalid port range ${port.from}-${to}`);
  return to === port.from ? `${port.from}/${port.protocol}` : `${port.from}-${to}/${port.protocol}`;
}

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** Parse one `opened-ports` entry (protocol case-insensitive, as Juju accepts it). */
export function parsePort(text: string): PortRange {
  const m = /^(?:(\d+)(?:-(\d+))?\/)?(tcp|udp|icmp)$/i.exec(text.trim());
  const protocol = m?.[3]?.toLowerCase() as PortProtocol | undefined;
  if (!m || !protocol) throw new Error(`opened-ports: cannot parse "${text}"`);
  if (protocol === 'icmp') return { protocol };
  if (m[1] === undefined) throw new Error(`opened-ports: "${text}" has no port`);
  const from = Number(m[1]);
  return { protocol, from, to: m[2] === undefined ? from : Number(m[2]) };
}

function endpointsFlag(endpoints: readonly string[] | undefined): string[] {
  return endpoints && endpoints.length > 0 ? ['--endpoints', endpoints.join(',')] : [];
}

/**
 * `open-port [--endpoints a,b] <port>` — without `--endpoints` the port applies to every
 * endpoint. Buffered until the hook exits 0; K8s cannot open ranges (contract §2.14).
 */
export function openPort(runner: ToolRunner, port: PortRange, options: { endpoints?: readonly string[] } = {}): void {
  call(runner, 'open-port', [...endpointsFlag(options.endpoints), formatPort(port)]);
}

/** `close-port [--endpoints a,b] <port>`; closing a port that is not open is not an error. */
export function closePort(runner: ToolRunner, port: PortRange, options: { endpoints?: readonly string[] } = {}): void {
  call(runner, 'close-port', [...endpointsFlag(options.endpoints), formatPort(port)]);
}

/**
 * `opened-ports --format=json` → committed ranges only. Quirk (contract §0.4): ports opened
 * earlier in the same hook are not listed until the hook commits.
 */
export function openedPorts(runner: ToolRunner): PortRange[] {
  return asStringList(callJson(runner, 'opened-ports', ['--format=json']), 'opened-ports').map(parsePort);
}
