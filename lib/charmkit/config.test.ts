import { describe, expect, it } from '@jest/globals';
import { BlockedStatus } from '../juju/status.ts';
import { configBool, configInt, configString } from './config.ts';

describe('typed config reads (contract §2.7)', () => {
  const cfg = { port: 4222, name: 'x', flag: true, bad: 'nope', unset: null };
  it('returns values or the fallback', () => {
    expect(configInt(cfg, 'port', 1)).toBe(4222);
    expect(configInt(cfg, 'missing', 7)).toBe(7);
    expect(configString(cfg, 'unset', 'd')).toBe('d');
    expect(configBool(cfg, 'flag', false)).toBe(true);
  });
  it('a wrong type or range is a BlockedStatus naming the option, never the value', () => {
    expect(() => configInt(cfg, 'bad', 1)).toThrow(new BlockedStatus('config "bad" must be an integer'));
    expect(() => configInt(cfg, 'port', 1, { max: 1000 })).toThrow(BlockedStatus);
    expect(() => configBool(cfg, 'name', false)).toThrow('config "name" must be a boolean');
  });
});
