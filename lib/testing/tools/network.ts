/** network-get, unit-get, open-port, close-port, opened-ports (contract §2.12, §2.14, §2.15). */
import { runtimeError, usageError } from '../engine/errors.ts';
import type { PortEntry } from '../engine/state.ts';
import { formatPort } from '../engine/views.ts';
import { unrecognized } from './flags.ts';
import { goStruct } from './format.ts';
import { defineTool, RELATION_FLAG, relationFlag } from './tool.ts';

function macFor(address: string): string {
  const parts = address.split('.').map((x) => Number(x) & 0xff);
  return ['00', '16', '3e', ...parts.slice(1).map((p) => p.toString(16).padStart(2, '0'))].join(':');
}

export const networkGet = defineTool({
  name: 'network-get', args: '<binding-name> [--ingress-address] [--bind-address] [--egress-subnets]', summary: 'Get network config.',
  flags: [RELATION_FLAG,
    { names: ['--bind-address'], kind: 'bool', help: 'get the address for the binding on which the unit should listen' },
    { names: ['--ingress-address'], kind: 'bool', help: 'get the ingress-address for the binding' },
    { names: ['--egress-subnets'], kind: 'bool', help: 'get the egress-subnets for the binding' },
    { names: ['--primary-address'], kind: 'bool', help: '(deprecated) get the primary address for the binding' }],
  formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const rid = parsed.flags['relation'] !== undefined ? relationFlag(ctx, parsed) : undefined;
    const [binding, ...extra] = parsed.positional;
    if (binding === undefined) throw usageError('no arguments specified');
    if (binding === '') throw usageError('no binding name specified');
    if (extra.length) throw unrecognized(extra);
    if (!ctx.bindings().includes(binding)) throw runtimeError(`no network config found for binding "${binding}"`);
    const bind = ctx.address('private');
    const ingress = ctx.address('ingress', rid);
    const egress = [`${ingress}/32`];
    if (parsed.flags['primary-address'] === true) return { value: bind };
    const wanted: Array<[string, unknown]> = [];
    if (parsed.flags['bind-address'] === true) wanted.push(['bind-address', bind]);
    if (parsed.flags['ingress-address'] === true) wanted.push(['ingress-address', ingress]);
    if (parsed.flags['egress-subnets'] === true) wanted.push(['egress-subnets', egress.join(',')]);
    if (wanted.length === 1) return { value: wanted[0]![1] };
    if (wanted.length > 1) return { value: Object.fromEntries(wanted) };
    const cidr = `${bind.split('.').slice(0, 3).join('.')}.0/24`;
    const yaml = parsed.flags['format'] === 'yaml';
    // Go structs (contract §2.12 field order); YAML repeats the legacy keys.
    const addr = goStruct(yaml ? { hostname: '', address: bind, value: bind, cidr } : { hostname: '', value: bind, cidr });
    const mac = macFor(bind);
    const entry = goStruct(yaml
      ? { macaddress: mac, 'mac-address': mac, interfacename: 'eth0', 'interface-name': 'eth0', addresses: [addr] }
      : { 'mac-address': mac, 'interface-name': 'eth0', addresses: [addr] });
    return { value: goStruct({ 'bind-addresses': [entry], 'egress-subnets': egress, 'ingress-addresses': [ingress] }) };
  },
});

export const unitGet = defineTool({
  name: 'unit-get', args: '<setting>', summary: 'Print public-address or private-address.', flags: [], formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    const [setting, ...extra] = parsed.positional;
    if (setting === undefined) throw usageError('no setting specified');
    if (setting !== 'private-address' && setting !== 'public-address') throw usageError(`unknown setting "${setting}"`);
    if (extra.length) throw unrecognized(extra);
    return { value: ctx.address(setting === 'public-address' ? 'public' : 'private') };
  },
});

const PORT_FORMAT = '<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp';

/** `80`, `80/tcp`, `8000-8999/UDP`, `icmp` (contract §2.14; texts of invalid input unverified). */
export function parsePortRange(arg: string): Omit<PortEntry, 'endpoint'> {
  if (arg.toLowerCase() === 'icmp') return { protocol: 'icmp' };
  const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(arg);
  if (!m) throw usageError(`expected ${PORT_FORMAT}; got "${arg}"`);
  const protocol = (m[3] ?? 'tcp').toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') {
    if (protocol === 'icmp') throw usageError(`protocol "icmp" doesn't support any ports; got "${arg}"`);
    throw usageError(`invalid protocol "${m[3]}", expected "tcp", "udp", or "icmp"`);
  }
  const from = Number(m[1]);
  const to = m[2] !== undefined ? Number(m[2]) : from;
  for (const p of [from, to]) if (p < 1 || p > 65535) throw usageError(`port must be in the range [1, 65535]; got "${p}"`);
  if (to < from) throw usageError(`invalid port range ${from}-${to}/${protocol}; expected fromPort <= toPort`);
  return { protocol, from, to };
}

function portTool(name: 'open-port' | 'close-port') {
  return defineTool({
    name, args: PORT_FORMAT, summary: name === 'open-port' ? 'Register a request to open a port or port range.' : 'Register a request to close a port or port range.',
    flags: [{ names: ['--endpoints'], kind: 'string', placeholder: 'value', help: 'a comma-delimited list of application endpoints to target with this operation' }],
    deprecatedFormat: true,
    run(ctx, parsed) {
      const [arg, ...extra] = parsed.positional;
      if (arg === undefined) throw usageError('no port or range specified');
      if (extra.length) throw unrecognized(extra);
      const range = parsePortRange(arg);
      const eps = typeof parsed.flags['endpoints'] === 'string' ? parsed.flags['endpoints'].split(',').map((e) => e.trim()).filter(Boolean) : [''];
      for (const ep of eps) {
        if (ep !== '' && !ctx.bindings().includes(ep)) throw runtimeError(`endpoint "${ep}" not found`);
        ctx.openPort(name === 'open-port', { endpoint: ep, ...range });
      }
    },
  });
}
export const openPort = portTool('open-port');
export const closePort = portTool('close-port');

const PROTO_ORDER: Record<string, number> = { icmp: 0, tcp: 1, udp: 2 };

export const openedPorts = defineTool({
  name: 'opened-ports', args: '', summary: 'List all ports or port ranges opened by the unit.',
  flags: [{ names: ['--endpoints'], kind: 'bool', help: 'display the list of target application endpoints for each port range' }],
  formats: ['smart', 'yaml', 'json'],
  run(ctx, parsed) {
    if (parsed.positional.length) throw unrecognized(parsed.positional);
    const groups = new Map<string, { entry: PortEntry; endpoints: string[] }>();
    for (const p of ctx.openedPorts()) {
      const k = formatPort(p);
      const g = groups.get(k) ?? { entry: p, endpoints: [] };
      g.endpoints.push(p.endpoint);
      groups.set(k, g);
    }
    const sorted = [...groups.entries()].sort(([, a], [, b]) =>
      (PROTO_ORDER[a.entry.protocol]! - PROTO_ORDER[b.entry.protocol]!) || ((a.entry.from ?? 0) - (b.entry.from ?? 0)) || ((a.entry.to ?? 0) - (b.entry.to ?? 0)));
    const withEps = parsed.flags['endpoints'] === true;
    return {
      value: sorted.map(([k, g]) => (withEps ? `${k} (${g.endpoints.includes('') ? '*' : g.endpoints.sort().join(', ')})` : k)),
    };
  },
});
