import {SyncCommand, limitFlag, pullFlags, syncFlags} from '../../../host/cli/sync-command.js';

export default class TrackerSyncPull extends SyncCommand {
  static override summary = 'Pull changes from the tracker into the local cache';

  static override examples = [
    '<%= config.bin %> tracker sync pull',
    '<%= config.bin %> tracker sync pull --dry-run --json',
  ];

  static override flags = {
    ...syncFlags,
    limit: limitFlag('issues per page asked of the tracker'),
    ...pullFlags,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerSyncPull);
    await this.runSyncMode('pull', flags);
  }
}
