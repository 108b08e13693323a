import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeTools } from '../testing/fake-tools.ts';
import { RUNNERS } from '../testing/runners.ts';
import type { ToolRunner } from '../types.ts';
import { jujuLog } from './log.ts';

describe.each(RUNNERS)('juju-log via %s', (_name, makeRunner) => {
  let fake: FakeTools;
  let runner: ToolRunner;
  beforeEach(async () => {
    fake = FakeTools.create();
    runner = await makeRunner(fake.env());
  });
  afterEach(() => fake.cleanup());

  it('juju-log --log-level LEVEL <message> (contract §2.10)', () => {
    fake.on('juju-log', ['--log-level', 'WARNING', 'disk almost full']);
    jujuLog(runner, 'disk almost full', 'WARNING');
    expect(fake.argvs()).toEqual([['juju-log', '--log-level', 'WARNING', 'disk almost full']]);
  });

  it('a message starting with - goes after -- (contract §2.10)', () => {
    fake.on('juju-log', ['--log-level', 'INFO', '--', '-r is a flag']);
    jujuLog(runner, '-r is a flag');
    expect(fake.argvs()).toEqual([['juju-log', '--log-level', 'INFO', '--', '-r is a flag']]);
  });

  it('an empty message is not sent (Juju: exit 2 no message specified)', () => {
    jujuLog(runner, '');
    expect(fake.calls()).toEqual([]);
  });
});
