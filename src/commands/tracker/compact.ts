import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerCompact extends TrackerCommand {
  static override summary = 'Squash the segments this clone wrote since the last commit into one';

  static override description =
    'Merges the uncommitted segment files of the bound scope into one new segment (events verbatim), ' +
    'under the writer lock, so the next commit adds one reviewable file. Segments git has committed are ' +
    'never deleted: another branch may hold them, and a deletion on both sides of a merge can conflict.';

  static override examples = [
    '<%= config.bin %> tracker compact',
    '<%= config.bin %> tracker compact --json',
  ];

  static override flags = {
    ...jsonFlag,
  };

  async run(): Promise<void> {
    await this.parse(TrackerCompact);
    const {runCompact} = await import('../../host/services/maintenance-service.js');
    const r = await runCompact(this.runContext());
    const kept = r.kept_committed > 0 ? [`- ${r.kept_committed} committed segment(s) kept as they are`] : [];
    await this.emit({
      json: r,
      text: r.segment
        ? [
            `Squashed ${r.squashed} uncommitted segment(s) into one (${r.events} event(s))`,
            `- segment: ${r.segment}`,
            ...kept,
          ]
        : [
            r.segments_before === 0
              ? 'Nothing to compact'
              : 'Nothing to compact: at most one segment is uncommitted',
            ...kept,
          ],
    });
  }
}
