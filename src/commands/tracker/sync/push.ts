import {Flags} from '@oclif/core';

import {SyncCommand, limitFlag, pushFlags, syncFlags} from '../../../host/cli/sync-command.js';

export default class TrackerSyncPush extends SyncCommand {
  static override summary = 'Push local edits, drafts and comments to the tracker';

  static override examples = [
    '<%= config.bin %> tracker sync push',
    '<%= config.bin %> tracker sync push --dry-run --json',
    '<%= config.bin %> tracker sync push --create-missing',
  ];

  static override flags = {
    ...syncFlags,
    limit: limitFlag('push at most this many locally changed issues'),
    ...pushFlags,
    'create-missing': Flags.boolean({
      description: 'create an issue for every unmapped work package, and map it',
    }),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerSyncPush);
    const {workPackageSyncIntent} = await import('../../../host/workpackages/wp-services.js');
    // Work packages first: lane changes become status edits (and, with --create-missing, drafts).
    await this.runSyncMode('push', flags, [
      workPackageSyncIntent({createMissing: flags['create-missing'] === true}),
    ]);
  }
}
