/**
 * What a segment's name looks like: a ULID, or a compaction snapshot named by content hash. Its
 * own module, free of the parser: listing the segments (every read's freshness check) must not
 * load the event model.
 */
export const SEGMENT_NAME = /^(?:[0-9A-HJKMNP-TV-Z]{26}|snapshot-[0-9a-f]{32})\.jsonl$/;

export function isSegmentName(name: string): boolean {
  return name.endsWith('.jsonl') && !name.startsWith('.');
}
