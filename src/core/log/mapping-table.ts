import {refIdentity} from '../model/external-ref.js';
import type {WorkPackageMapping} from '../protocols/mapping-store.js';

/**
 * The fold's work-package mappings (key `${wp_id}\u0000${system}`), also indexed by the identity
 * of the issue each one points at. Applying a create or a mapping looks up the mappings of one
 * issue; scanning every mapping for that made folding n creates take n² steps (2,000 created
 * work packages: 8 million identity strings built). A `Map` still, so every reader and every
 * writer (snapshots restore it with `set`) goes through the index.
 */
export class MappingTable extends Map<string, WorkPackageMapping> {
  private readonly byIdentity = new Map<string, Set<string>>();

  override set(key: string, mapping: WorkPackageMapping): this {
    this.unindex(key);
    super.set(key, mapping);
    // `Map`'s constructor calls `set` before the field above is initialised.
    if (this.byIdentity === undefined) return this;
    const identity = refIdentity(mapping.ref);
    const keys = this.byIdentity.get(identity);
    if (keys) keys.add(key);
    else this.byIdentity.set(identity, new Set([key]));
    return this;
  }

  override delete(key: string): boolean {
    this.unindex(key);
    return super.delete(key);
  }

  override clear(): void {
    this.byIdentity?.clear();
    super.clear();
  }

  /** Keys of the mappings whose issue has this identity (a copy: safe to change the table meanwhile). */
  keysFor(identity: string): string[] {
    return [...(this.byIdentity.get(identity) ?? [])];
  }

  private unindex(key: string): void {
    const previous = super.get(key);
    if (previous === undefined || this.byIdentity === undefined) return;
    const identity = refIdentity(previous.ref);
    const keys = this.byIdentity.get(identity);
    keys?.delete(key);
    if (keys?.size === 0) this.byIdentity.delete(identity);
  }
}
