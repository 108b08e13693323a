/** Every hook tool the simulator provides (contract §2, §3); the version personality filters it. */
export const TOOL_NAMES: readonly string[] = [
  'action-fail', 'action-get', 'action-log', 'action-set', 'application-version-set',
  'close-port', 'config-get', 'is-leader', 'juju-log', 'leader-get', 'leader-set',
  'network-get', 'open-port', 'opened-ports',
  'relation-get', 'relation-ids', 'relation-list', 'relation-model-get', 'relation-set',
  'secret-add', 'secret-get', 'secret-grant', 'secret-ids', 'secret-info-get', 'secret-remove', 'secret-revoke', 'secret-set',
  'state-delete', 'state-get', 'state-set', 'status-get', 'status-set', 'unit-get',
];
