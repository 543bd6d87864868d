import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../../host/cli/base-command.js';

export default class TrackerMapAdd extends TrackerCommand {
  static override summary = 'Map a work package to a tracker issue';

  static override examples = [
    '<%= config.bin %> tracker map add --wp-id WP01 --external-id 12 --external-key "#12"',
  ];

  static override flags = {
    'wp-id': Flags.string({
      required: true,
      description: 'the work package: WP01 (when one mission has it) or <mission>/WP01',
    }),
    'external-id': Flags.string({required: true, description: "the tracker's id of the issue"}),
    'external-key': Flags.string({description: 'the human key (#12, PROJ-7); default: from the cache'}),
    'external-url': Flags.string({description: 'the issue URL; default: from the cache'}),
    force: Flags.boolean({
      description: 'map an issue id the cache does not have (after a pull, usually a typo)',
    }),
    replace: Flags.boolean({description: "replace the work package's existing mapping to another issue"}),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerMapAdd);
    const {addMapping} = await import('../../../host/services/mapping-service.js');
    const m = await addMapping(this.runContext(), {
      wpId: flags['wp-id'],
      externalId: flags['external-id'],
      externalKey: flags['external-key'],
      externalUrl: flags['external-url'],
      force: flags.force,
      replace: flags.replace,
    });
    this.showWarnings(m.warnings);
    await this.emit({
      json: m,
      text: [
        `Mapping saved: ${m.wp_id} -> ${m.external_key ?? m.external_id}${m.title ? ` (${m.title})` : ''}`,
      ],
    });
  }
}
