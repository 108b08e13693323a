/** Output that is valid JSON but not the shape the contract promises is a clear error, never a wrong value. */
import { describe, expect, it } from '@jest/globals';
import { MemoryRunner } from '../testing/runners.ts';
import { actionGet } from './action.ts';
import { configGet } from './config.ts';
import { isLeader, leaderGet } from './leader.ts';
import { networkGet } from './network.ts';
import { openedPorts } from './ports.ts';
import { relationIds, relationModelGet, relationRemoteApp } from './relation.ts';
import { secretAdd, secretInfoGet } from './secret.ts';
import { statusGet } from './status.ts';

const answering = (stdout: string) => new MemoryRunner(() => ({ stdout }));

describe('unexpected output shapes', () => {
  it.each([
    ['is-leader not a boolean', () => isLeader(answering('"yes"\n')), 'expected a JSON boolean'],
    ['relation-list --app not a string', () => relationRemoteApp(answering('["a"]\n'), 'db:1'), 'expected a JSON string'],
    ['relation-model-get without uuid', () => relationModelGet(answering('{}\n'), 'db:1'), 'expected {"uuid": string}'],
    ['relation-ids not a list of strings', () => relationIds(answering('[1]\n'), 'db'), 'expected a JSON list of strings'],
    ['leader-get a list', () => leaderGet(answering('[]\n')), 'expected a JSON object'],
    ['config-get a list', () => configGet(answering('[]\n')), 'expected a JSON object'],
    ['network-get a list', () => networkGet(answering('[]\n'), 'b'), 'expected a JSON object'],
    ['action-get a list', () => actionGet(answering('[]\n')), 'expected a JSON object'],
    ['status-get without status', () => statusGet(answering('{}\n')), 'expected {"status": string}'],
    ['opened-ports entry unparseable', () => openedPorts(answering('["80/sctp"]\n')), 'cannot parse "80/sctp"'],
    ['secret-add not a URI', () => secretAdd(answering('oops\n'), { token: 'abcd' }), 'expected a secret URI'],
    ['secret-info-get two secrets', () => secretInfoGet(answering('{"a":{"revision":1},"b":{"revision":1}}\n'), { label: 'x' }), 'expected one secret, got 2'],
    ['secret-info-get without revision', () => secretInfoGet(answering('{"a":{}}\n'), { label: 'x' }), 'missing revision'],
  ])('%s', (_what, fn, message) => {
    expect(fn).toThrow(message);
  });

  it('non-string bag values are kept as their JSON text rather than dropped', () => {
    expect(leaderGet(answering('{"n":1}\n'))).toEqual({ n: '1' });
  });

  it('config-get null (no options) is {}', () => {
    expect(configGet(answering('null\n'))).toEqual({});
  });
});
