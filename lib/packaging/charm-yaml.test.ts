import { describe, it, expect } from '@jest/globals';
import { load } from 'js-yaml';
import { manifestYaml, metadataYaml, PACKER_ID } from './charm-yaml.ts';
import type { CharmProject } from './charmcraft.ts';

describe('manifestYaml', () => {
  it('writes charmcraft manifest fields with the fixed timestamp and channel as a string', () => {
    const text = manifestYaml([{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }], new Date(1_700_000_000_000));
    expect(text).toContain("channel: '22.04'");
    expect(load(text)).toEqual({
      analysis: { attributes: [{ name: 'language', result: 'unknown' }, { name: 'framework', result: 'unknown' }] },
      'charmcraft-started-at': '2023-11-14T22:13:20.000Z',
      'charmcraft-version': PACKER_ID,
      bases: [{ name: 'ubuntu', channel: '22.04', architectures: ['amd64'] }],
    });
  });
});

describe('metadataYaml', () => {
  it('never folds a long description', () => {
    const description = 'word '.repeat(60).trim();
    const project = { metadata: { name: 'x', summary: 's', description } } as unknown as CharmProject;
    expect(metadataYaml(project)).toContain(`description: ${description}\n`);
  });
});
