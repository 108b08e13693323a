/**
 * The YAML files inside a `.charm`: metadata.yaml, config.yaml and actions.yaml (Juju 2.9 reads
 * only these, never charmcraft.yaml) and manifest.yaml (Juju 3.x reads its `bases` to choose a
 * machine; charmcraft's model: `charmcraft/models/manifest.py`).
 */
import { dump } from 'js-yaml';
import type { CharmProject, RunOnBase } from './charmcraft.ts';

/** Written where charmcraft writes its own version; Juju ignores it, Charmhub only displays it. */
export const PACKER_ID = 'juju-charms-ts lib/packaging 0.1.0';

function toYaml(doc: unknown): string {
  // lineWidth -1: never fold long descriptions; noRefs: no YAML anchors in generated files.
  return dump(doc, { lineWidth: -1, noRefs: true });
}

export function metadataYaml(project: CharmProject): string {
  return toYaml(project.metadata);
}

export function configYaml(project: CharmProject): string | undefined {
  return project.config ? toYaml(project.config) : undefined;
}

export function actionsYaml(project: CharmProject): string | undefined {
  return project.actions ? toYaml(project.actions) : undefined;
}

/**
 * `analysis.attributes` uses charmcraft's vocabulary: its linters report `language` python|unknown
 * and `framework` operator|reactive|unknown; a JavaScript charm is honestly `unknown` on both.
 */
export function manifestYaml(runOn: readonly RunOnBase[], startedAt: Date): string {
  return toYaml({
    analysis: {
      attributes: [
        { name: 'language', result: 'unknown' },
        { name: 'framework', result: 'unknown' },
      ],
    },
    'charmcraft-started-at': startedAt.toISOString(),
    'charmcraft-version': PACKER_ID,
    bases: runOn.map((b) => ({ name: b.name, channel: b.channel, architectures: [...b.architectures] })),
  });
}
