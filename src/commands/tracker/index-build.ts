import {TrackerCommand} from '../../host/cli/base-command.js';

/**
 * Builds the read index (hidden): what the first `show` in a fresh clone starts in the
 * background, so that it can answer at once from a targeted scan of the segments.
 */
export default class TrackerIndexBuild extends TrackerCommand {
  static override summary =
    'Build the read index of the local tracker cache (started by `show` in the background)';

  static override hidden = true;

  async run(): Promise<void> {
    await this.parse(TrackerIndexBuild);
    const {buildReadIndex} = await import('../../host/services/first-read.js');
    await buildReadIndex(this.runContext());
  }
}
