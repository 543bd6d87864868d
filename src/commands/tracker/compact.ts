import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerCompact extends TrackerCommand {
  static override summary = "Compact the bound scope's tracker log into one snapshot";

  static override description =
    'Rewrites the log deterministically under the writer lock; events after --before (default: 30 days ago) are ' +
    'kept verbatim so branches that did not compact still merge cleanly.';

  static override examples = [
    '<%= config.bin %> tracker compact',
    '<%= config.bin %> tracker compact --before 2026-01-01T00:00:00Z --json',
  ];

  static override flags = {
    before: Flags.string({description: 'only events before this ISO-8601 instant may be folded away'}),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerCompact);
    this.setJson(flags.json);
    const {runCompact} = await import('../../host/services/maintenance-service.js');
    const r = await runCompact(this.runContext(), {before: flags.before});
    this.emit({
      json: r,
      text: r.snapshot
        ? [
            `Compacted ${r.segments_before} segment(s): ${r.events_before} -> ${r.events_after} event(s)`,
            `- snapshot: ${r.snapshot}`,
          ]
        : ['Nothing to compact'],
    });
  }
}
