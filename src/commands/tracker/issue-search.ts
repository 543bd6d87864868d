import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerIssueSearch extends TrackerCommand {
  static override summary = 'Find cached tickets by key (#12, PROJ-7) or by words (offline)';

  static override examples = [
    '<%= config.bin %> tracker issue-search --query "#12"',
    '<%= config.bin %> tracker issue-search --query "login timeout" --json',
  ];

  static override flags = {
    query: Flags.string({
      char: 'q',
      required: true,
      description: 'a key (#12, PROJ-7, an id) or words to find in titles and bodies',
    }),
    limit: Flags.integer({min: 1, max: 1000, default: 20, description: 'at most this many results'}),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerIssueSearch);
    const [{searchTickets}, {ticketRows}] = await Promise.all([
      import('../../host/services/cache-service.js'),
      import('../../host/services/ticket-view.js'),
    ]);
    const found = await searchTickets(this.runContext(), flags.query, flags.limit);
    this.showWarnings(found.warnings);
    await this.emit({
      json: found,
      text: found.tickets.length === 0 ? ['No tickets found'] : ticketRows(found.tickets),
    });
  }
}
