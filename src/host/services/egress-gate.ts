import {findProvider} from '../../core/connectors/registry.js';
import {TrackerError} from '../../core/errors.js';
import type {BoundContext} from './service-context.js';

export class EgressRefusedError extends TrackerError {}

/**
 * The egress consent gate, checked before anything that sends issue data off this machine
 * (before credentials are read, before any connector is loaded, before any request). Only a
 * recorded `tracker.egress: permitted` (or, for a local program such as beads, none) lets a sync run; `refused`, an illegal value, or no
 * record at all refuse, each saying where the setting lives and how to change it.
 */
export function assertEgressPermitted(context: BoundContext): void {
  const {egress, provider} = context.binding;
  const where = '.kittify/config.yaml';
  // beads and fp are programs on this machine: nothing leaves it, so no consent is needed when
  // none is recorded (the Python spec-kitty CLI records none). A recorded refusal still holds.
  if (egress.state === 'absent' && findProvider(provider)?.kind === 'local') return;
  switch (egress.state) {
    case 'permitted':
      return;
    case 'refused':
      throw new EgressRefusedError(
        `Refusing to sync with ${provider}: tracker.egress is recorded as 'refused' in this project's ${where}.`,
        {
          hint: `Nothing was sent. To allow sync, set \`tracker.egress: permitted\` in ${where} (a deliberate, reviewable change).`,
        },
      );
    case 'fault':
      throw new EgressRefusedError(
        `Refusing to sync with ${provider}: tracker.egress in ${where} is ${JSON.stringify(egress.raw)}, which is not a legal value.`,
        {
          hint: `Set \`tracker.egress: permitted\` or \`tracker.egress: refused\` in ${where} (exactly, lower case).`,
        },
      );
    case 'absent':
      throw new EgressRefusedError(
        `Refusing to sync with ${provider}: no egress consent is recorded (tracker.egress in ${where}).`,
        {
          hint: `Run \`spec-kitty tracker bind\` again, or add \`tracker.egress: permitted\` under tracker: in ${where}.`,
        },
      );
  }
}
