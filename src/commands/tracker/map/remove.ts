import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../../host/cli/base-command.js';

export default class TrackerMapRemove extends TrackerCommand {
  static override summary = "Remove a work package's mapping to this tracker";

  static override examples = ['<%= config.bin %> tracker map remove --wp-id WP01'];

  static override flags = {
    'wp-id': Flags.string({
      required: true,
      description: 'the work package: WP01 (when one mission has it) or <mission>/WP01',
    }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerMapRemove);
    const {removeMapping} = await import('../../../host/services/mapping-service.js');
    const result = await removeMapping(this.runContext(), flags['wp-id']);
    await this.emit({
      json: result,
      text: result.removed.map((m) => `Mapping removed: ${m.wp_id} -> ${m.external_key ?? m.external_id}`),
    });
  }
}
