import { describe, expect, it } from '@jest/globals';
import { StatusBook } from './status-book.ts';

describe('StatusBook', () => {
  it('is active with its notes when nothing is wrong', () => {
    const b = new StatusBook();
    b.note('2 clients trusted');
    b.add({ name: 'active', message: 'serving' });
    expect(b.status()).toEqual({ name: 'active', message: '2 clients trusted; serving' });
  });

  it('blocked wins over waiting and maintenance, and lists every blocked message once', () => {
    const b = new StatusBook();
    b.waiting('waiting for ams');
    b.maintenance('restarting');
    b.blocked('missing relation "nats"');
    b.add({ name: 'blocked', message: 'missing relation "ams"' });
    b.blocked('missing relation "nats"');
    expect(b.status()).toEqual({ name: 'blocked', message: 'missing relation "nats"; missing relation "ams"' });
    expect(b.has('waiting')).toBe(true);
  });

  it('clips very long messages', () => {
    const b = new StatusBook();
    b.waiting('x'.repeat(1000));
    expect(b.status().message).toHaveLength(480);
  });
});
