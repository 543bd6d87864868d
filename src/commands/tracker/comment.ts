import {Args, Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerComment extends TrackerCommand {
  static override summary = 'Add a comment to a ticket offline; `sync push` sends it';

  static override examples = ['<%= config.bin %> tracker comment "#12" --body "Fixed in WP03"'];

  static override args = {
    key: Args.string({
      required: true,
      description: 'the ticket: #12, PROJ-7, the provider id, or system:workspace:id',
    }),
  };

  static override flags = {
    body: Flags.string({required: true, description: 'the comment text'}),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TrackerComment);
    const {commentTicket} = await import('../../host/services/edit-service.js');
    const result = await commentTicket(this.runContext(), args.key, flags.body);
    this.showWarnings(result.warnings);
    const sent = result.warnings.length === 0 ? '; sync push will send it' : '';
    await this.emit({json: result, text: [`Comment recorded on ${result.key}${sent}`]});
  }
}
