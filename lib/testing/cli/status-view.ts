/**
 * The shape of `juju status --format=json` (contract §5.5) that the tabular renderer reads.
 * Everything is optional: the renderer shows what the engine provides. `relations` is not in
 * juju's JSON (juju keeps it in a hidden field for the tabular form); the engine supplies it
 * for `--relations`, as a list or derived here from `applications.*.relations`.
 */
export interface StatusValueView { readonly current?: string; readonly message?: string; readonly since?: string; readonly version?: string }

export interface UnitView {
  readonly 'workload-status'?: StatusValueView;
  readonly 'juju-status'?: StatusValueView;
  readonly leader?: boolean;
  readonly machine?: string;
  readonly 'public-address'?: string;
  readonly address?: string;
  readonly 'open-ports'?: readonly string[];
  readonly subordinates?: Readonly<Record<string, UnitView>>;
}

export interface ApplicationView {
  readonly charm?: string;
  readonly 'charm-name'?: string;
  readonly 'charm-rev'?: number;
  readonly 'charm-channel'?: string;
  readonly version?: string;
  readonly exposed?: boolean;
  readonly scale?: number;
  readonly 'application-status'?: StatusValueView;
  readonly relations?: Readonly<Record<string, ReadonlyArray<string | { readonly 'related-application'?: string; readonly interface?: string; readonly scope?: string }>>>;
  readonly units?: Readonly<Record<string, UnitView>>;
  readonly 'subordinate-to'?: readonly string[];
}

export interface SaasView {
  readonly url?: string;
  readonly store?: string;
  readonly 'application-status'?: StatusValueView;
}

export interface OfferView {
  readonly application?: string;
  readonly charm?: string;
  readonly 'charm-rev'?: number;
  readonly 'active-connected-count'?: number;
  readonly 'total-connected-count'?: number;
  readonly endpoints?: Readonly<Record<string, { readonly interface?: string; readonly role?: string }>>;
}

export interface MachineView {
  readonly 'juju-status'?: StatusValueView;
  readonly 'dns-name'?: string;
  readonly 'instance-id'?: string;
  readonly base?: { readonly name?: string; readonly channel?: string };
  readonly 'hardware'?: string;
  readonly 'availability-zone'?: string;
  readonly 'machine-status'?: StatusValueView;
}

export interface RelationRowView {
  readonly provider: string;
  readonly requirer: string;
  readonly interface: string;
  readonly type: string;
  /** Relation status; shown in the Message column only when not `joined`. */
  readonly status?: string;
  readonly message?: string;
}

export interface StatusView {
  readonly model?: { readonly name?: string; readonly controller?: string; readonly cloud?: string; readonly region?: string; readonly version?: string; readonly sla?: string; readonly type?: string };
  readonly machines?: Readonly<Record<string, MachineView>>;
  readonly applications?: Readonly<Record<string, ApplicationView>>;
  readonly 'application-endpoints'?: Readonly<Record<string, SaasView>>;
  readonly offers?: Readonly<Record<string, OfferView>>;
  readonly relations?: readonly RelationRowView[];
  readonly controller?: { readonly timestamp?: string };
}
