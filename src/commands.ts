// The plugin's commands, for oclif's "explicit" command discovery: package.json `oclif.commands`
// points at dist/cli/tracker.cjs, which loads the CLI bundle that `npm run build` makes from this
// file with esbuild (scripts/bundle.mjs). One bundle holds @oclif/core and every command class, so
// a start reads and compiles one file instead of resolving hundreds (docs/ARCHITECTURE.md, "How
// the CLI starts fast").
//
// Command classes stay light: they declare their flags and import their service inside `run()`.
// test/commands/registry.test.ts checks that every command file under src/commands is listed here.
import type {Command} from '@oclif/core';

export {commandNotFound as COMMAND_NOT_FOUND} from './host/cli/command-not-found.js';

import TrackerBind from './commands/tracker/bind.js';
import TrackerComment from './commands/tracker/comment.js';
import TrackerCompact from './commands/tracker/compact.js';
import TrackerDoctor from './commands/tracker/doctor.js';
import TrackerEdit from './commands/tracker/edit.js';
import TrackerIndexBuild from './commands/tracker/index-build.js';
import TrackerIssueSearch from './commands/tracker/issue-search.js';
import TrackerListTickets from './commands/tracker/list-tickets.js';
import TrackerMapAdd from './commands/tracker/map/add.js';
import TrackerMapList from './commands/tracker/map/list.js';
import TrackerMapRemove from './commands/tracker/map/remove.js';
import TrackerMapSuggest from './commands/tracker/map/suggest.js';
import TrackerProviders from './commands/tracker/providers.js';
import TrackerReview from './commands/tracker/review.js';
import TrackerShow from './commands/tracker/show.js';
import TrackerStatus from './commands/tracker/status.js';
import TrackerSyncPull from './commands/tracker/sync/pull.js';
import TrackerSyncPush from './commands/tracker/sync/push.js';
import TrackerSyncRun from './commands/tracker/sync/run.js';
import TrackerUnbind from './commands/tracker/unbind.js';

/** Command id (topics joined by `:`, as oclif names them) to command class. */
export const COMMANDS = {
  'tracker:bind': TrackerBind,
  'tracker:comment': TrackerComment,
  'tracker:compact': TrackerCompact,
  'tracker:doctor': TrackerDoctor,
  'tracker:edit': TrackerEdit,
  'tracker:index-build': TrackerIndexBuild,
  'tracker:issue-search': TrackerIssueSearch,
  'tracker:list-tickets': TrackerListTickets,
  'tracker:map:add': TrackerMapAdd,
  'tracker:map:list': TrackerMapList,
  'tracker:map:remove': TrackerMapRemove,
  'tracker:map:suggest': TrackerMapSuggest,
  'tracker:providers': TrackerProviders,
  'tracker:review': TrackerReview,
  'tracker:show': TrackerShow,
  'tracker:status': TrackerStatus,
  'tracker:sync:pull': TrackerSyncPull,
  'tracker:sync:push': TrackerSyncPush,
  'tracker:sync:run': TrackerSyncRun,
  'tracker:unbind': TrackerUnbind,
} satisfies Record<string, Command.Class>;
