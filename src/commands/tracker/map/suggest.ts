import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../../host/cli/base-command.js';

export default class TrackerMapSuggest extends TrackerCommand {
  static override summary =
    'Propose work package to issue mappings from tracker_refs and matching titles (offline)';

  static override description =
    'Reads kitty-specs/*/tasks/WP*.md and the issue cache. A work package is matched to an issue by a tracker ref in its frontmatter (#12, PROJ-7, the issue URL), by the marker of an issue created for it, or by an identical title. Ambiguous or contested matches are listed, never applied. Work packages are named <mission-slug>/WP01.';

  static override examples = [
    '<%= config.bin %> tracker map suggest',
    '<%= config.bin %> tracker map suggest --apply',
    '<%= config.bin %> tracker map suggest --json',
  ];

  static override flags = {
    apply: Flags.boolean({
      description: 'record the proposed mappings (conflicts are skipped, one line each)',
    }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerMapSuggest);
    const [{formatTable}, {suggestProjectMappings}] = await Promise.all([
      import('../../../host/services/ticket-view.js'),
      import('../../../host/workpackages/wp-services.js'),
    ]);
    const result = await suggestProjectMappings(this.runContext(), {apply: flags.apply === true});
    this.showWarnings(result.warnings);
    const text: string[] = [];
    if (result.suggestions.length === 0) text.push('No mapping to suggest.');
    else {
      text.push(flags.apply ? 'Mappings:' : 'Suggested mappings (record them with --apply):');
      const applied = new Set(result.applied.map((s) => s.qualified_id));
      text.push(
        ...formatTable(
          ['WP', 'ISSUE', 'TITLE', 'BY', ...(flags.apply ? ['RESULT'] : [])],
          result.suggestions.map((s) => [
            s.qualified_id,
            s.key ?? s.identity,
            s.issue_title,
            s.reason === 'tracker_ref'
              ? `tracker ref ${s.matched}`
              : s.reason === 'marker'
                ? 'created for it'
                : 'same title',
            ...(flags.apply ? [applied.has(s.qualified_id) ? 'mapped' : 'skipped'] : []),
          ]),
        ),
      );
    }
    for (const skip of result.skipped)
      text.push(
        `skipped ${skip.suggestion.qualified_id} -> ${skip.suggestion.key ?? skip.suggestion.identity}: ${skip.reason}`,
      );
    for (const a of result.ambiguous) {
      text.push(
        `ambiguous ${a.qualified_id}: ${a.candidates.map((c) => c.key ?? c.identity).join(', ')} all match; map one with \`spec-kitty tracker map add\``,
      );
    }
    for (const c of result.contested)
      text.push(`contested ${c.key ?? c.identity}: claimed by ${c.qualified_ids.join(', ')}; map it by hand`);
    for (const u of result.unmatched_refs)
      text.push(
        `no cached issue for tracker ref ${u.ref} of ${u.qualified_id} (run \`spec-kitty tracker sync pull\`?)`,
      );
    await this.emit({json: result, text});
  }
}
