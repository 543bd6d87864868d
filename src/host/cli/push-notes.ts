import type {SkippedChange, UnsupportedChange} from '../../core/sync/push-plan.js';
import type {SyncReport} from '../services/sync-service.js';

/** `github:acme/app:42` -> `issue 42`: what people call it (the identity is the cache's key). */
function issueName(identity: string): string {
  const id = identity.slice(identity.lastIndexOf(':') + 1);
  return id.startsWith('draft-') ? `draft ${id}` : `issue ${id}`;
}

function names(identities: readonly string[]): string {
  const unique = [...new Set(identities)];
  const shown = unique.slice(0, 5).map(issueName).join(', ');
  return unique.length > 5 ? `${shown} and ${unique.length - 5} more` : shown;
}

/**
 * Why local changes were not sent, and what to run, for the text output of a push: a push that
 * says only `skipped: 1` leaves a new user guessing (most often: the default doctrine,
 * external_authoritative, never writes to the tracker).
 */
export function pushNotes(r: SyncReport): string[] {
  if (r.mode === 'pull') return [];
  const lines: string[] = [];
  const byReason = (reason: SkippedChange['reason']) =>
    r.plan.skipped.filter((s) => s.reason === reason).map((s) => s.identity);
  const external = byReason('external_authoritative');
  if (external.length > 0) {
    lines.push(
      `Not sent: local changes of ${names(external)}. This binding is external_authoritative: the tracker owns every field, so nothing is written to it.`,
      `  To send local edits, bind again with a doctrine that lets the repository own fields, e.g. \`spec-kitty tracker bind --provider ${r.provider} --workspace ${r.workspace} --doctrine-mode split_ownership --field-owner status=local\` (or --doctrine-mode spec_kitty_authoritative).`,
    );
  }
  const owned = r.plan.skipped.filter((s) => s.reason === 'owned_by_external');
  for (const s of owned.slice(0, 5))
    lines.push(
      `Not sent: ${s.fields.join(', ')} of ${issueName(s.identity)}, owned by the tracker in this binding (bind with --field-owner ${s.fields[0]}=local to send it).`,
    );
  const held = byReason('manual_review_open');
  if (held.length > 0)
    lines.push(
      `Held: changes of ${names(held)} wait for an open conflict to be decided (see \`spec-kitty tracker show <id>\`).`,
    );
  const notAllowed = byReason('create_not_allowed');
  if (notAllowed.length > 0)
    lines.push(
      `Not created: ${names(notAllowed)}: the tracker owns the title in this binding (bind with --field-owner title=local to create issues).`,
    );
  lines.push(...unsupportedNotes(r.plan.unsupported, r.provider, r.dry_run));
  return lines;
}

function unsupportedNotes(
  unsupported: readonly UnsupportedChange[],
  provider: string,
  dryRun: boolean,
): string[] {
  const lines: string[] = [];
  const unwritable = unsupported.filter(
    (u) => u.reason === 'field_not_writable' || u.reason === 'links_not_supported',
  );
  const fields = [...new Set(unwritable.map((u) => u.field ?? 'change'))];
  for (const field of fields) {
    const these = unwritable.filter((u) => (u.field ?? 'change') === field);
    const of = these.map((u) => u.identity);
    // The connector's own words (what it lacks, what to do), said once for all the issues.
    const details = [...new Set(these.flatMap((u) => (u.detail ? [u.detail] : [])))];
    const why =
      details.length > 0
        ? ` ${details[0]}${details.length > 1 ? ` (and ${details.length - 1} more reasons)` : ''}`
        : '';
    lines.push(
      `Not supported by ${provider}: ${field} (${names(of)}). ${dryRun ? 'A push will drop' : 'Dropped'} the local edit; the tracker keeps its value.${why}`,
    );
  }
  const removals = unsupported
    .filter((u) => u.reason === 'link_removal_not_supported')
    .map((u) => u.identity);
  if (removals.length > 0)
    lines.push(
      `Not supported by ${provider}: removing links (${names(removals)}); remove them in the tracker.`,
    );
  const other = unsupported.filter(
    (u) => u.reason === 'create_not_supported' || u.reason === 'comments_not_supported',
  );
  for (const reason of new Set(other.map((u) => u.reason)))
    lines.push(
      `Not supported by ${provider}: ${reason === 'create_not_supported' ? 'creating issues' : 'comments'} (${names(other.filter((u) => u.reason === reason).map((u) => u.identity))}).`,
    );
  return lines;
}
