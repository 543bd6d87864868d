import {Args, Flags} from '@oclif/core';

import {CANONICAL_STATUSES} from '../../core/model/enums.js';
import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerEdit extends TrackerCommand {
  static override summary = 'Edit a cached ticket offline; `sync push` sends the change';

  static override examples = [
    '<%= config.bin %> tracker edit "#12" --status in_progress --assignee alice',
    '<%= config.bin %> tracker edit PROJ-7 --add-label backend --remove-label triage',
  ];

  static override args = {
    key: Args.string({
      required: true,
      description: 'the ticket: #12, PROJ-7, the provider id, or system:workspace:id',
    }),
  };

  static override flags = {
    status: Flags.option({options: CANONICAL_STATUSES, description: 'the new status'})(),
    title: Flags.string({description: 'the new title'}),
    'add-label': Flags.string({multiple: true, description: 'add this label (repeatable)'}),
    'remove-label': Flags.string({multiple: true, description: 'remove this label (repeatable)'}),
    assignee: Flags.string({multiple: true, description: 'set the assignees to these people (repeatable)'}),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TrackerEdit);
    const {editTicket} = await import('../../host/services/edit-service.js');
    const result = await editTicket(this.runContext(), args.key, {
      status: flags.status,
      title: flags.title,
      addLabels: flags['add-label'],
      removeLabels: flags['remove-label'],
      assignees: flags.assignee,
    });
    this.showWarnings(result.warnings);
    await this.emit({
      json: result,
      text: result.changed
        ? [
            `Edited ${result.key}: ${result.fields.join(', ')}`,
            `- pending for sync push: ${result.pending_fields.join(', ') || 'none'}`,
          ]
        : [`No change: ${result.key} already has these values`],
    });
  }
}
