import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerStatus extends TrackerCommand {
  static override summary = 'Show the binding and the state of the local tracker cache (offline, read-only)';

  static override examples = ['<%= config.bin %> tracker status', '<%= config.bin %> tracker status --json'];

  static override flags = {...jsonFlag};

  async run(): Promise<void> {
    await this.parse(TrackerStatus);
    const [{trackerStatus}, {workPackageLines}] = await Promise.all([
      import('../../host/services/cache-service.js'),
      import('../../host/services/work-package-text.js'),
    ]);
    const s = await trackerStatus(this.runContext());
    const credentials = s.credentials.present
      ? `yes (${Object.values(s.credentials.sources).join(', ')})`
      : s.credentials.problem
        ? `no (${s.credentials.problem})`
        : `no (missing ${s.credentials.missing.join(', ')})`;
    this.showWarnings(s.warnings);
    await this.emit({
      json: s,
      text: [
        'Tracker status',
        `- provider: ${s.provider}`,
        `- workspace: ${s.workspace}`,
        ...(s.server_url ? [`- server_url: ${s.server_url}`] : []),
        `- doctrine_mode: ${s.doctrine_mode}`,
        `- egress: ${s.egress}${s.egress === 'absent' && (s.provider === 'beads' || s.provider === 'fp') ? ` (not needed: ${s.provider} runs on this machine)` : ''}`,
        `- cache: ${s.cache_dir}`,
        `- issues: ${s.issue_count}`,
        `- mappings: ${s.mapping_count}`,
        `- pending local edits: ${s.pending_edits}`,
        `- pending comments: ${s.pending_comments}`,
        `- open conflicts: ${s.open_conflicts}`,
        `- last pull: ${s.last_pull_at ?? 'never'}`,
        `- checkpoint: ${s.checkpoint ? `high water ${s.checkpoint.high_water ?? '-'}${s.checkpoint.cursor ? ', listing in progress' : ''}` : 'none'}`,
        `- credentials_present: ${credentials}`,
        ...workPackageLines(s.work_packages),
      ],
    });
  }
}
