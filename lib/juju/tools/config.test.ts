import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { configGet } from './config.ts';

describe.each(RUNNERS)('config-get via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('config-get --format=json → typed options (contract §2.7)', () => {
    fake.on('config-get', ['--format=json'], { stdout: '{"debug":false,"port":4222,"ratio":0.5,"name":"x"}\n' });
    expect(configGet(runner)).toEqual({ debug: false, port: 4222, ratio: 0.5, name: 'x' });
    expect(fake.argvs()).toEqual([['config-get', '--format=json']]);
  });

  it('a non-scalar option value is rejected, not passed on silently', () => {
    fake.on('config-get', ['--format=json'], { stdout: '{"weird":{"a":1}}\n' });
    expect(() => configGet(runner)).toThrow('non-scalar');
  });
});
