import {TrackerCommand, jsonFlag} from '../../../host/cli/base-command.js';

export default class TrackerMapList extends TrackerCommand {
  static override summary = 'List work package to issue mappings (offline)';

  static override examples = [
    '<%= config.bin %> tracker map list',
    '<%= config.bin %> tracker map list --json',
  ];

  static override flags = {...jsonFlag};

  async run(): Promise<void> {
    await this.parse(TrackerMapList);
    const [{listMappings}, {formatTable}] = await Promise.all([
      import('../../../host/services/mapping-service.js'),
      import('../../../host/services/ticket-view.js'),
    ]);
    const list = await listMappings(this.runContext());
    this.showWarnings(list.warnings);
    const text =
      list.mappings.length === 0
        ? ['No mappings found']
        : formatTable(
            ['WP', 'ISSUE', 'TITLE'],
            list.mappings.map((m) => [
              m.wp_id,
              `${m.system}:${m.external_key ?? m.external_id}`,
              m.title ?? '-',
            ]),
          );
    await this.emit({json: list, text});
  }
}
