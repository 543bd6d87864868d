import {SyncCommand, syncFlags} from '../../../host/cli/sync-command.js';

export default class TrackerSyncRun extends SyncCommand {
  static override summary = 'Pull, then push';

  static override examples = [
    '<%= config.bin %> tracker sync run',
    '<%= config.bin %> tracker sync run --dry-run --json',
  ];

  static override flags = {...syncFlags};

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerSyncRun);
    await this.runSyncMode('run', flags);
  }
}
