import {Flags} from '@oclif/core';

import {OWNERSHIP_MODES} from '../../core/model/enums.js';
import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerBind extends TrackerCommand {
  static override summary = 'Bind this project to an issue tracker';

  static override description =
    'Writes the binding to .kittify/config.yaml (committed) and stores credentials machine-globally ' +
    '($SPEC_KITTY_HOME/credentials or ~/.spec-kitty/credentials, never in the project). Records egress consent ' +
    '(tracker.egress: permitted) unless a value is already recorded; a recorded `refused` is kept. ' +
    'A --server-url is approved on this machine for the provider credentials: sync sends them to no other server.';

  static override examples = [
    '<%= config.bin %> tracker bind --provider github --workspace acme/app',
    '<%= config.bin %> tracker bind --provider jira --workspace PROJ --server-url https://jira.example.com --credential email=me@example.com --credential token=…',
    '<%= config.bin %> tracker bind --provider github --workspace acme/app --doctrine-mode split_ownership --field-owner status=local',
    '<%= config.bin %> tracker bind --provider github --workspace acme/app --status-label in_progress=in-progress --status-label in_review=review',
    '<%= config.bin %> tracker bind --provider jira --workspace PROJ --server-url https://acme.atlassian.net --status-map "In QA=in_review"',
  ];

  static override flags = {
    provider: Flags.string({required: true, description: 'github, gitlab, jira, linear, beads or fp'}),
    workspace: Flags.string({
      required: true,
      description: 'owner/repo, group/project, project key, team key...',
    }),
    'server-url': Flags.string({
      description:
        'base URL of a self-hosted tracker (default: the provider cloud); approves it for the provider credentials on this machine; http:// only for loopback',
    }),
    'doctrine-mode': Flags.option({
      options: OWNERSHIP_MODES,
      description: 'who owns which field (default: external_authoritative)',
    })(),
    'field-owner': Flags.string({
      multiple: true,
      description: 'field=owner (external, local or shared), for split_ownership',
    }),
    credential: Flags.string({
      multiple: true,
      description: 'key=value, stored machine-globally (e.g. token=…)',
    }),
    'status-label': Flags.string({
      multiple: true,
      description:
        'status=label (GitHub, GitLab): the label that means this status, e.g. in_progress=in-progress or in_progress=workflow::doing (repeatable)',
    }),
    'status-map': Flags.string({
      multiple: true,
      description: 'Jira: "Workflow status=status", e.g. "In QA=in_review" (repeatable)',
    }),
    'mission-issues': Flags.boolean({
      allowNo: true,
      description:
        "one issue per mission, the parent of its work packages' issues (on by default where the tracker has a hierarchy); --no-mission-issues turns it off",
    }),
    option: Flags.string({
      multiple: true,
      description:
        'key=value connector option (JSON values allowed), checked against the provider options `providers --json` lists',
    }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerBind);
    const {bindTracker} = await import('../../host/services/binding-service.js');
    const {doctrineMeaning} = await import('../../host/cli/doctrine-meaning.js');
    const result = await bindTracker(this.runContext(), {
      provider: flags.provider,
      workspace: flags.workspace,
      serverUrl: flags['server-url'],
      doctrineMode: flags['doctrine-mode'],
      fieldOwners: flags['field-owner'],
      credentials: flags.credential,
      options: [
        ...(flags.option ?? []),
        ...(flags['mission-issues'] === undefined ? [] : [`mission_issues=${flags['mission-issues']}`]),
      ],
      statusLabels: flags['status-label'],
      statusMap: flags['status-map'],
    });
    const text = [
      'Tracker binding saved',
      `- provider: ${result.provider}`,
      `- workspace: ${result.workspace}`,
      ...(result.server_url ? [`- server_url: ${result.server_url}`] : []),
      ...(result.server_approved_in
        ? [
            `- server approved for ${result.provider} credentials on this machine (in ${result.server_approved_in})`,
          ]
        : []),
      `- doctrine_mode: ${result.doctrine_mode}`,
      `- field_owners: ${Object.keys(result.field_owners).length}`,
      `- egress: ${result.egress}`,
      `- credentials_saved: ${result.credentials_saved ? `yes (${result.credential_keys.join(', ')} in ${result.credentials_path})` : 'no'}`,
    ];
    // The list above keeps the lines spec-kitty's Python tracker prints (scripts read them); what
    // the mode means follows it, in one line.
    text.push(`Doctrine ${result.doctrine_mode} means ${doctrineMeaning(result.doctrine_mode)}.`);
    if (result.egress === 'refused')
      text.push(
        "Note: tracker.egress is 'refused' in .kittify/config.yaml, so sync commands will refuse to run.",
      );
    await this.emit({json: result, text});
  }
}
