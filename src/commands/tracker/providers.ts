import {Command, Flags} from '@oclif/core';

import {PROVIDERS} from '../../providers.js';

export default class TrackerProviders extends Command {
  static override summary = 'List the issue-tracker providers this plugin supports';

  static override examples = [
    '<%= config.bin %> tracker providers',
    '<%= config.bin %> tracker providers --json',
  ];

  static override flags = {
    json: Flags.boolean({description: 'Print the providers as JSON'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerProviders);
    if (flags.json) {
      this.log(
        JSON.stringify(
          PROVIDERS.map((p) => ({name: p.name, kind: p.kind})),
          null,
          2,
        ),
      );
      return;
    }
    const width = Math.max(...PROVIDERS.map((p) => p.name.length));
    for (const p of PROVIDERS) this.log(`${p.name.padEnd(width)}  ${p.kind}`);
  }
}
