import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerReview extends TrackerCommand {
  static override summary =
    'Explain what the tracker cache of this branch adds since a base revision (offline, for pull-request review)';

  static override description =
    'Reads the segment files this branch adds under .kittify/tracker/ (committed, staged or not yet added) through git and explains them per issue: created, pulled, pushed, edited, comments, conflicts and mappings. Needs no credentials and no network.';

  static override examples = [
    '<%= config.bin %> tracker review',
    '<%= config.bin %> tracker review --base origin/main --format markdown',
    '<%= config.bin %> tracker review --base HEAD --json',
  ];

  static override flags = {
    base: Flags.string({
      description: 'compare with this git revision (default: the merge base with the default branch)',
    }),
    format: Flags.option({
      options: ['text', 'markdown'] as const,
      default: 'text' as const,
      description: 'text for people, markdown for a pull-request comment',
    })(),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerReview);
    const [{reviewTrackerChanges}, {reviewMarkdown, reviewText}] = await Promise.all([
      import('../../host/services/review-service.js'),
      import('../../host/services/review-format.js'),
    ]);
    const report = await reviewTrackerChanges(this.runContext(), {base: flags.base});
    this.showWarnings(report.warnings);
    await this.emit({
      json: report,
      text: flags.format === 'markdown' ? reviewMarkdown(report) : reviewText(report),
    });
  }
}
