import {Flags} from '@oclif/core';

import {TrackerCommand, jsonFlag} from '../../host/cli/base-command.js';

export default class TrackerDoctor extends TrackerCommand {
  static override summary = 'Check the tracker cache (and repair what can be repaired with --fix)';

  static override description =
    'Verifies the logs (torn tails, invalid lines with file:line, duplicate ids, mapping conflicts after merges), ' +
    'lock debris, damaged checkpoints, ignore rules and secrets in every file under .kittify/. --fix repairs what can be ' +
    "repaired without losing data and never rewrites a file git tracks (it may restore git's own version). " +
    'Exits 1 while an error, or a warning --fix would repair, remains; harmless leftovers say so and leave it 0.';

  static override examples = ['<%= config.bin %> tracker doctor', '<%= config.bin %> tracker doctor --fix'];

  static override flags = {
    fix: Flags.boolean({description: 'repair what can be repaired without losing data'}),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(TrackerDoctor);
    const {runDoctor} = await import('../../host/services/maintenance-service.js');
    const r = await runDoctor(this.runContext(), {fix: flags.fix});
    const text = [`Checked ${r.scope_dir}: ${r.segments} segment(s), ${r.events} event(s)`];
    if (r.findings.length === 0) text.push('No problems found');
    for (const f of r.findings) {
      const state = f.fixed ? 'fixed' : f.fixable ? 'fixable with --fix' : f.severity;
      text.push(`- [${state}] ${f.message}`);
    }
    text.push(...closingLines(r.findings, r.ok));
    await this.emit({json: r, text});
    if (!r.ok) this.exit(1);
  }
}

/** The verdict, and what to do about what is left. */
function closingLines(
  findings: readonly {code: string; severity: string; fixable: boolean; fixed: boolean}[],
  ok: boolean,
): string[] {
  const open = findings.filter((f) => !f.fixed);
  const harmlessOnly = open.some((f) => f.fixable) && open.every((f) => !f.fixable || f.severity === 'info');
  const lines = [ok ? (harmlessOnly ? 'OK: what is left is harmless' : 'OK') : 'Problems remain'];
  if (harmlessOnly)
    lines.push('Run `spec-kitty tracker doctor --fix` to tidy up the harmless leftovers marked fixable.');
  else if (open.some((f) => f.fixable))
    lines.push('Run `spec-kitty tracker doctor --fix` to repair what is marked fixable (no data is lost).');
  if (open.some((f) => f.code === 'invalid_line' && !f.fixable))
    lines.push(
      'Invalid lines are never dropped automatically: restore the file from git (`git checkout -- <file>`) or fix the named line by hand, then run `spec-kitty tracker doctor` again.',
    );
  return lines;
}
