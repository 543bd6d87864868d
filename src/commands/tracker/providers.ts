import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerProviders extends TrackerCommand {
  static override summary = 'List the issue trackers this plugin supports and what each can do';

  static override examples = [
    '<%= config.bin %> tracker providers',
    '<%= config.bin %> tracker providers --json',
  ];

  static override flags = {...jsonFlag};

  async run(): Promise<void> {
    await this.parse(TrackerProviders);
    const {listProviders} = await import('../../host/services/binding-service.js');
    const providers = await listProviders();
    const text: string[] = [];
    for (const p of providers) {
      const caps = p.capabilities;
      const can = caps
        ? [
            caps.incremental && 'incremental',
            caps.create && 'create',
            caps.comments && 'comments',
            caps.links && 'links',
            caps.delete && 'delete',
          ]
            .filter(Boolean)
            .join(', ') || 'read only'
        : 'not available in this build';
      const envs = p.credentials.filter((c) => c.env).map((c) => c.env);
      text.push(`${p.name.padEnd(7)} ${p.kind.padEnd(6)} ${p.display_name}`);
      text.push(`        workspace: ${p.workspace}${envs.length ? `; credentials: ${envs.join(', ')}` : ''}`);
      text.push(`        can: ${can}`);
      if (p.relations) {
        for (const [what, note] of Object.entries(p.relations))
          text.push(`        ${what} (${note.support}): ${note.how}`);
      }
      if (p.options.length > 0)
        text.push(
          `        options: ${p.options.map((o) => (o.flag ? `${o.key} (${o.flag.split(' ')[0]})` : o.key)).join(', ')}`,
        );
    }
    await this.emit({json: {providers}, text});
  }
}
