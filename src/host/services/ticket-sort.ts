/**
 * The orders `list-tickets --sort` accepts. Its own module so the command can declare the flag
 * without loading the cache service (commands load their service only when they run).
 */
export const SORT_KEYS = ['key', 'updated', 'created', 'priority', 'status', 'title'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
