/**
 * The same hook-tool work as the Python `ops` baseline of tooling.md (nats-relation-changed:
 * juju-log ×2, relation-ids, relation-list, is-leader, relation-get ×2, secret-get,
 * relation-set, status-set), so the two can be compared like for like.
 */
import { active, defineCharm, main } from '../../lib/juju/index.ts';

void main(defineCharm({
  reconcile: ({ tools, log }) => {
    log.info('reconciling');
    for (const id of tools.relationIds('nats')) {
      const [unit] = tools.relationList(id);
      const leader = tools.isLeader();
      const app = tools.relationGet(id, 'agent', { app: true });
      const bag = unit ? tools.relationGet(id, unit) : {};
      const { token } = tools.secretGet({ label: 'nats-token' });
      tools.relationSet(id, { url: `nats://${token ?? ''}@10.0.0.1:4222`, leader: String(leader), seen: String(Object.keys({ ...app, ...bag }).length) });
    }
    log.debug('done');
    return active();
  },
}));
