import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerUnbind extends TrackerCommand {
  static override summary = "Remove this project's tracker binding";

  static override description =
    'Removes the binding from .kittify/config.yaml; a recorded tracker.egress value is kept, and so is the ' +
    "binding's cache folder under .kittify/tracker/ (the output says where, and how to remove it). Credentials are " +
    'machine-global and may serve other projects: they stay unless --forget-credentials is given.';

  static override examples = [
    '<%= config.bin %> tracker unbind',
    '<%= config.bin %> tracker unbind --forget-credentials',
  ];

  static override flags = {
    'forget-credentials': Flags.boolean({
      description: "also delete this provider's stored credentials on this machine",
    }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerUnbind);
    const {unbindTracker} = await import('../../host/services/binding-service.js');
    const result = await unbindTracker(this.runContext(), {forgetCredentials: flags['forget-credentials']});
    await this.emit({
      json: result,
      text: [
        'Tracker binding removed',
        `- provider: ${result.provider}`,
        `- workspace: ${result.workspace}`,
        ...(result.egress_kept ? [`- egress kept: ${result.egress_kept}`] : []),
        `- credentials_removed: ${result.credentials_removed ? 'yes' : 'no'}`,
        ...(result.cache_dir_kept
          ? [
              `- cache kept: ${result.cache_dir_kept} (its events/ are committed history; binding this tracker again reuses it)`,
              `  To remove it: git rm -r -q --ignore-unmatch ${result.cache_dir_kept} && rm -rf ${result.cache_dir_kept}`,
            ]
          : []),
      ],
    });
  }
}
