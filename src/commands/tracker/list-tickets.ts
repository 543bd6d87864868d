import {Flags} from '@oclif/core';

import {CANONICAL_ISSUE_TYPES, CANONICAL_STATUSES} from '../../core/model/enums.js';
import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';
import {SORT_KEYS} from '../../host/services/ticket-sort.js';

export default class TrackerListTickets extends TrackerCommand {
  static override summary = 'List cached tickets (offline), with filters';

  static override description =
    "Reads the local cache only: works offline and in a fresh clone with no credentials. `*` marks tickets with local edits not pushed yet.\n\nWith --mission, lists that mission's work packages instead: lane, mapped issue, the issue's status in the tracker (as last pulled), and whether the two disagree.";

  static override examples = [
    '<%= config.bin %> tracker list-tickets',
    '<%= config.bin %> tracker list-tickets --status in_progress --assignee alice --sort updated',
    '<%= config.bin %> tracker list-tickets --label bug --text login --json',
    '<%= config.bin %> tracker list-tickets --ready --limit 20',
    '<%= config.bin %> tracker list-tickets --blocked --json',
    '<%= config.bin %> tracker list-tickets --mission 020-search',
  ];

  static override flags = {
    status: Flags.option({
      options: CANONICAL_STATUSES,
      multiple: true,
      description: 'only tickets with this status (repeatable: any of)',
    })(),
    label: Flags.string({multiple: true, description: 'only tickets with this label (repeatable: all of)'}),
    assignee: Flags.string({
      multiple: true,
      description: 'only tickets assigned to this person (repeatable: any of)',
    }),
    type: Flags.option({
      options: CANONICAL_ISSUE_TYPES,
      multiple: true,
      description: 'only tickets of this type (repeatable: any of)',
    })(),
    text: Flags.string({description: 'only tickets whose title or body contains this text'}),
    limit: Flags.integer({
      min: 1,
      description: 'at most this many tickets (without it: every matching ticket, printed as it is read)',
    }),
    sort: Flags.option({options: SORT_KEYS, default: 'key' as const, description: 'sort order'})(),
    reverse: Flags.boolean({description: 'reverse the sort order'}),
    ready: Flags.boolean({
      description:
        'only tickets ready to work on: open, not marked blocked, and every blocker done or canceled (a blocker not in the cache counts as open)',
      exclusive: ['blocked'],
    }),
    blocked: Flags.boolean({
      description:
        'only open tickets that are marked blocked or have a blocker still open (or not in the cache)',
      exclusive: ['ready'],
    }),
    mission: Flags.string({
      description: "list this mission's work packages (a folder under kitty-specs/) with their issues",
      exclusive: ['status', 'label', 'assignee', 'type', 'text', 'ready', 'blocked'],
    }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerListTickets);
    const [{listMissionWorkPackages, listTickets}, {missionLines}, {ticketRows}] = await Promise.all([
      import('../../host/services/cache-service.js'),
      import('../../host/services/work-package-text.js'),
      import('../../host/services/ticket-view.js'),
    ]);
    if (flags.mission !== undefined) {
      const result = await listMissionWorkPackages(this.runContext(), flags.mission);
      this.showWarnings(result.warnings);
      await this.emit({json: result, text: missionLines(result.mission, result.work_packages)});
      return;
    }
    if (flags.limit === undefined) {
      await this.printAll(flags);
      return;
    }
    const list = await listTickets(this.runContext(), {
      status: flags.status,
      label: flags.label,
      assignee: flags.assignee,
      type: flags.type,
      text: flags.text,
      limit: flags.limit,
      sort: flags.sort,
      reverse: flags.reverse,
      graph: graphListing(flags),
    });
    this.showWarnings(list.warnings);
    const text =
      list.tickets.length === 0
        ? ['No tickets found']
        : [
            ...ticketRows(list.tickets),
            ...(list.total > list.tickets.length
              ? [`(${list.tickets.length} of ${list.total}; raise --limit to see more)`]
              : []),
          ];
    await this.emit({json: list, text});
  }

  /** Every matching ticket, written while the index is read (100k lines never sit in memory). */
  private async printAll(flags: {
    status?: string[];
    label?: string[];
    assignee?: string[];
    type?: string[];
    text?: string;
    sort: (typeof SORT_KEYS)[number];
    reverse: boolean;
    ready: boolean;
    blocked: boolean;
  }): Promise<void> {
    const [{streamTickets}, {ticketCells, TICKET_HEADER}, out, {redactSecrets}] = await Promise.all([
      import('../../host/services/cache-service.js'),
      import('../../host/services/ticket-view.js'),
      import('../../host/cli/streamed-output.js'),
      import('../../host/shared/secret-mask.js'),
    ]);
    const stream = await streamTickets(this.runContext(), {
      status: flags.status,
      label: flags.label,
      assignee: flags.assignee,
      type: flags.type,
      text: flags.text,
      sort: flags.sort,
      reverse: flags.reverse,
      graph: graphListing(flags),
    });
    try {
      this.showWarnings(stream.warnings);
      const write = out.streamWriter(process.stdout);
      if (this.jsonMode) {
        const {provider, workspace, warnings} = stream;
        await out.writeJsonList(write, {provider, workspace, warnings}, 'tickets', stream.tickets());
        return;
      }
      const first = stream.tickets()[Symbol.iterator]().next();
      if (first.done) {
        this.log('No tickets found');
        return;
      }
      const rows = function* () {
        for (const ticket of stream.tickets()) yield ticketCells(ticket);
      };
      await out.writeTable(write, TICKET_HEADER, rows, redactSecrets);
    } finally {
      stream.close();
    }
  }
}

function graphListing(flags: {ready: boolean; blocked: boolean}): 'ready' | 'blocked' | undefined {
  return flags.ready ? 'ready' : flags.blocked ? 'blocked' : undefined;
}
