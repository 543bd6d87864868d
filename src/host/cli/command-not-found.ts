import {Errors, type Hook} from '@oclif/core';

import {closestMatch} from '../shared/did-you-mean.js';

/**
 * oclif's `command_not_found` hook: a mistyped `tracker` command (`tracker sync pul`) gets a
 * usage error naming the command with spaces, as it was typed, and the closest command, like
 * `git` does. Inside a host, ids outside `tracker` are left to it (the "not found" oclif would say).
 */
export const commandNotFound: Hook<'command_not_found'> = async function (options) {
  const {id, config} = options;
  const spaced = (commandId: string) => commandId.split(':').join(' ');
  // Standalone, every command is ours; inside a host, only the `tracker` topic is.
  const standalone = config.pjson.name === '@spec-kitty/plugin-tracker';
  if (!standalone && id !== 'tracker' && !id.startsWith('tracker:'))
    throw new Errors.CLIError(`command ${spaced(id)} not found`);
  const suggestion = closestMatch(id, config.commandIDs);
  const topic = id.split(':').slice(0, -1).join(':');
  const help = config.findTopic(topic)
    ? `${config.bin} ${spaced(topic)} --help`
    : `${config.bin} tracker --help`;
  const lines = [
    `'${spaced(id)}' is not a ${config.bin} command.`,
    suggestion === null ? `Run \`${help}\` for the commands.` : `Did you mean \`${spaced(suggestion)}\`?`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  // Printed already: oclif's handler must not print it again (see TrackerCommand.catch).
  throw Object.assign(new Errors.ExitError(2), {skipOclifErrorHandling: true});
};
