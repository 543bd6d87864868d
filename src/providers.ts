/** A tracker provider the plugin knows about. `hosted` ones are reached over HTTP; `local` ones live in the repo. */
export interface ProviderInfo {
  readonly name: string;
  readonly kind: 'hosted' | 'local';
}

/** The providers the plugin supports, in display order. */
export const PROVIDERS: readonly ProviderInfo[] = Object.freeze([
  {name: 'github', kind: 'hosted'},
  {name: 'gitlab', kind: 'hosted'},
  {name: 'jira', kind: 'hosted'},
  {name: 'linear', kind: 'hosted'},
  {name: 'beads', kind: 'local'},
  {name: 'fp', kind: 'local'},
]);
