import type {ExternalRef} from '../model/external-ref.js';

/**
 * A work package mapped to one external issue. `wp_id` is opaque to the core (hosts qualify it,
 * e.g. `<mission>/WP01`). Constraints: one issue per work package and provider system; one
 * work package per external issue.
 */
export interface WorkPackageMapping {
  readonly wp_id: string;
  readonly ref: ExternalRef;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface MappingStore {
  /** Ordered by `wp_id`, then system. */
  listMappings(): Promise<WorkPackageMapping[]>;
  getByWorkPackage(wpId: string, system: string): Promise<WorkPackageMapping | null>;
  getByIssue(ref: ExternalRef): Promise<WorkPackageMapping | null>;
  /**
   * Maps `wpId` to `ref`, replacing the work package's previous issue for that system. Throws
   * `MappingConflictError` when the issue is already mapped to another work package.
   * Mapping what is already mapped changes nothing and writes nothing.
   */
  addMapping(wpId: string, ref: ExternalRef): Promise<WorkPackageMapping>;
  /** Removes the work package's mappings (for one system, or all); returns those removed. */
  removeMapping(wpId: string, system?: string): Promise<WorkPackageMapping[]>;
}
