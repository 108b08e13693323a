/**
 * The JUJU_* environment of a hook or action (contract §1.2). The transport adds PATH and
 * overrides JUJU_AGENT_SOCKET_ADDRESS/NETWORK with its own socket.
 */
import type { HookContext } from './context.ts';
import { secretUri } from './secrets.ts';
import type { QueuedHook } from './state.ts';
import type { World } from './world.ts';

export function hookEnv(world: World, ctx: HookContext, hook: QueuedHook | undefined): Record<string, string> {
  const m = world.model(ctx.model);
  const charmDir = ctx.app.charm.dir ?? `/var/lib/juju/agents/unit-${ctx.unitName.replace('/', '-')}/charm`;
  const env: Record<string, string> = {
    JUJU_DISPATCH_PATH: ctx.kind === 'action' ? `actions/${ctx.name}` : `hooks/${ctx.name}`,
    JUJU_HOOK_NAME: ctx.kind === 'action' ? '' : ctx.name,
    JUJU_UNIT_NAME: ctx.unitName, JUJU_MODEL_NAME: m.name, JUJU_MODEL_UUID: m.uuid, JUJU_VERSION: m.version,
    JUJU_CHARM_DIR: charmDir, CHARM_DIR: charmDir, JUJU_CONTEXT_ID: ctx.id,
    JUJU_AGENT_SOCKET_ADDRESS: '', JUJU_AGENT_SOCKET_NETWORK: 'unix',
    JUJU_API_ADDRESSES: '10.0.0.1:17070', JUJU_MACHINE_ID: ctx.unit.machine, JUJU_PRINCIPAL_UNIT: '',
    JUJU_AVAILABILITY_ZONE: '', JUJU_SLA: 'unsupported', CLOUD_API_VERSION: '',
    JUJU_CHARM_HTTP_PROXY: '', JUJU_CHARM_HTTPS_PROXY: '', JUJU_CHARM_FTP_PROXY: '', JUJU_CHARM_NO_PROXY: '',
  };
  const rel = hook?.relation ? world.state.relations[hook.relation] : undefined;
  if (rel && hook) {
    const local = world.localEnd(rel, ctx.model, ctx.appName)!;
    env['JUJU_RELATION'] = local.endpoint;
    env['JUJU_RELATION_ID'] = `${local.endpoint}:${rel.ids[ctx.model]}`;
    env['JUJU_REMOTE_APP'] = world.appNameFrom(world.remoteEnd(rel, ctx.model, ctx.appName), ctx.model);
    env['JUJU_REMOTE_UNIT'] = hook.remoteUnit ? world.unitNameFrom(rel, hook.remoteUnit, ctx.model) : '';
    if (hook.departing) env['JUJU_DEPARTING_UNIT'] = world.unitNameFrom(rel, hook.departing, ctx.model);
  }
  if (hook?.kind === 'action') {
    env['JUJU_ACTION_NAME'] = hook.name;
    env['JUJU_ACTION_UUID'] = hook.action!;
    env['JUJU_ACTION_TAG'] = `action-${hook.action}`;
  }
  // [2.9] no JUJU_SECRET_* at all (contract §1.6).
  if (hook?.secret && ctx.p.secrets) {
    const s = world.state.secrets[hook.secret];
    env['JUJU_SECRET_ID'] = s ? secretUri(world, s, ctx.model) : `secret:${hook.secret}`;
    // secret-changed carries the consumer label; owner hooks the owner label (contract §3.6).
    const ownerHook = hook.name !== 'secret-changed';
    env['JUJU_SECRET_LABEL'] = (ownerHook ? s?.label : s?.tracking[ctx.unitKey]?.label) ?? '';
    if (hook.secretRevision !== undefined && hook.secretRevision > 0) env['JUJU_SECRET_REVISION'] = String(hook.secretRevision);
  }
  return env;
}
