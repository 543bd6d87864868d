import type {ConnectorCapabilities, ConnectorConfig, TrackerConnector} from '../protocols/connector.js';

// What each provider folder exports, apart from the registry that loads the folders lazily: the
// folders import these types, and the registry imports the folders.

export const PROVIDER_NAMES = ['github', 'gitlab', 'jira', 'linear', 'beads', 'fp'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** How far a tracker holds one relation: written, read back and removed (`full`), some (`partial`), or not. */
export interface RelationNote {
  readonly support: 'full' | 'partial' | 'none';
  /** In words: the tracker's own relation used, and what is missing and why. */
  readonly how: string;
}

/** The relations a mission's work graph needs, as this tracker holds them (`providers` prints them). */
export interface RelationSupport {
  /** "A blocks B" (a work package's dependency). */
  readonly dependencies: RelationNote;
  /** An issue's parent (a work package under its mission). */
  readonly parent: RelationNote;
}

/** What one provider folder exports as `connectorModule` from its `index.ts`. */
export interface ConnectorModule {
  readonly provider: ProviderName;
  readonly capabilities: ConnectorCapabilities;
  /** The relations, stated for `providers`; absent: not described yet. */
  readonly relations?: RelationSupport;
  /** Validates the config (throws `ConnectorConfigError` naming what is missing) and builds a connector. */
  create(config: ConnectorConfig): TrackerConnector;
}
