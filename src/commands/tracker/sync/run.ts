import {SyncCommand, pullFlags, pushFlags, syncFlags} from '../../../host/cli/sync-command.js';

export default class TrackerSyncRun extends SyncCommand {
  static override summary = 'Pull, then push (work-package progress included, as `sync push` sends it)';

  static override examples = [
    '<%= config.bin %> tracker sync run',
    '<%= config.bin %> tracker sync run --dry-run --json',
  ];

  static override flags = {...syncFlags, ...pullFlags, ...pushFlags};

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerSyncRun);
    const {workPackageSyncIntent} = await import('../../../host/workpackages/wp-services.js');
    // The push half sends what `sync push` sends: lane changes become status edits first.
    await this.runSyncMode('run', flags, [workPackageSyncIntent({createMissing: false})]);
  }
}
