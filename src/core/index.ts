/**
 * The tracker core: canonical model, ownership and conflicts, store and connector protocols,
 * the tracker log fold, in-memory stores for tests, connectors and the sync engine.
 * It never touches the disk: durable persistence belongs to the host (see docs/ARCHITECTURE.md).
 *
 * The package export `./core`: every name is listed, so what the package makes public is a
 * decision made here, not a side effect of exporting something from a module.
 */
export {
  CapabilityNotSupportedError,
  classifyHttpStatus,
  ConnectorConfigError,
  ConnectorRequestError,
  isRetryableFailure,
  IssueNotFoundError,
  IssuePayloadContractError,
  MappingConflictError,
  TrackerError,
  ValidationError,
} from './errors.js';
export {
  CANONICAL_ISSUE_TYPES,
  CANONICAL_STATUSES,
  type CanonicalIssueType,
  type CanonicalStatus,
  CONFLICT_STRATEGIES,
  type ConflictStrategy,
  FAILURE_CLASSES,
  type FailureClass,
  FIELD_OWNERS,
  type FieldOwner,
  isOneOf,
  LINK_TYPES,
  type LinkType,
  OWNERSHIP_MODES,
  type OwnershipMode,
  TERMINAL_STATUSES,
} from './model/enums.js';
export {isJsonObject, type JsonObject, type JsonPrimitive, type JsonValue} from './model/json.js';
export {
  createRef,
  DRAFT_ID_PREFIX,
  type ExternalRef,
  type ExternalRefInput,
  isDraftRef,
  refHandle,
  refIdentity,
  sameRef,
} from './model/external-ref.js';
export {
  applyPatch,
  type CanonicalIssue,
  type CanonicalIssueInput,
  type CanonicalLink,
  changedFields,
  CORE_ISSUE_FIELDS,
  createIssue,
  fieldValuesEqual,
  isIssueField,
  type IssueField,
  type IssueFieldValues,
  type IssuePatch,
  issuesEqual,
  pickFields,
  validatePatch,
  withRef,
} from './model/canonical-issue.js';
export {issueFromJson, issueToFrozenJson, issueToJson, refToJson} from './model/issue-json.js';
export {
  createOwnershipPolicy,
  externalAuthoritative,
  externalCanWrite,
  localCanWrite,
  ownerFor,
  type OwnershipPolicy,
  specKittyAuthoritative,
} from './policy/ownership.js';
export {
  type ConflictRecord,
  type FieldResolution,
  type FieldResolutionInput,
  resolveField,
} from './policy/conflicts.js';
export {
  type Clock,
  ManualClock,
  type ProcessResult,
  type ProcessRunner,
  realSleep,
  type RuntimeEvent,
  type RuntimeEventListener,
  type Sleep,
  systemClock,
} from './protocols/runtime.js';
export {
  type IssueKey,
  type IssueQuery,
  type IssueStore,
  type MergeInputs,
  type PendingChange,
  type PendingComment,
  type RemoteUpdate,
  type StoredConflict,
} from './protocols/issue-store.js';
export {type CheckpointStore, type SyncCheckpoint} from './protocols/checkpoint-store.js';
export {type WriteIntent, type WriteIntentStore} from './protocols/write-intent-store.js';
export {type MappingStore, type WorkPackageMapping} from './protocols/mapping-store.js';
export {
  type ConnectorCapabilities,
  type ConnectorConfig,
  type ConnectorRuntime,
  type ListIssuesRequest,
  type Page,
  type TrackerConnector,
  type PacingOverrides,
} from './protocols/connector.js';
export {
  canonicalJson,
  canonicalJsonChunks,
  canonicalJsonLine,
  compareCodePoints,
  jsonValuesEqual,
} from './serialization/canonical-json.js';
export {createUlidFactory, encodeRandom, ULID_PATTERN, ulidTime} from './util/ulid.js';
export {
  type CommentAddedEvent,
  type CommentSentEvent,
  compareEvents,
  type ConflictClosedEvent,
  type ConflictRecordedEvent,
  type DraftCreatedEvent,
  type EditsSettledEvent,
  type FieldsJson,
  type IssueDeletedEvent,
  type IssueEditedEvent,
  type IssuePulledEvent,
  type MappingAddedEvent,
  type MappingRemovedEvent,
  orderEvents,
  parseTrackerEvent,
  type RemoteCreatedEvent,
  TRACKER_EVENT_KINDS,
  type TrackerEvent,
  type TrackerEventKind,
  type TrackerEventPayload,
} from './log/events.js';
export {type LogTransaction, type TrackerEventLog} from './log/event-log.js';
export {
  type FoldDiagnostic,
  foldTrackerLog,
  isLiveEntry,
  type IssueEntry,
  type IssueEntrySummary,
  localViewOf,
  mappingKey,
  refFromIdentityOrRef,
  TrackerState,
} from './log/tracker-state.js';
export {LogBackedStores} from './log/log-backed-stores.js';
export {InMemoryEventLog} from './memory/in-memory-event-log.js';
export {
  InMemoryCheckpointStore,
  InMemoryIssueStore,
  InMemoryMappingStore,
} from './memory/in-memory-stores.js';
export {InMemoryWriteIntents} from './memory/in-memory-write-intents.js';
export {
  IN_MEMORY_CAPABILITIES,
  InMemoryConnector,
  type InMemoryOperation,
  type RecordedRequest,
} from './memory/in-memory-connector.js';
export {
  type ConnectorModule,
  type CredentialSpec,
  findProvider,
  normaliseProvider,
  PROVIDER_NAMES,
  type ProviderDescriptor,
  type ProviderName,
  PROVIDERS,
  requireProvider,
} from './connectors/registry.js';
export {
  addRequestCounts,
  addStats,
  BulkChangeGuardError,
  type BulkChangeSummary,
  type BulkGuardThresholds,
  combineRunResults,
  CountingConnector,
  DEFAULT_BULK_GUARD,
  ENGINE_RETRY_POLICY,
  diffLinks,
  emptyPlan,
  emptyStats,
  exceedsBulkGuard,
  failureToString,
  isAlreadyOpen,
  isFatalFailure,
  isWritable,
  mergeIssue,
  type PendingTriage,
  type PlannedComment,
  type PlannedCreate,
  type PlannedFieldChange,
  type PlannedLink,
  type PlannedPull,
  type PlannedTransition,
  type PlannedUpdate,
  type PlanSummary,
  type PreparedDraft,
  prepareDraft,
  type PullOptions,
  type PushOptions,
  type ReportedConflict,
  type RequestCounts,
  type RetryContext,
  retryDelayMs,
  type RetryPolicy,
  type RunOptions,
  type SkippedChange,
  type SkipReason,
  stableHash,
  summarisePlan,
  SyncEngine,
  type SyncEngineOptions,
  type SyncFailure,
  type SyncOperation,
  type SyncPlan,
  type SyncResult,
  type SyncRunResult,
  type SyncStats,
  type ThreeWayMergeInput,
  type ThreeWayMergeResult,
  toSyncFailure,
  triagePending,
  type UnsupportedChange,
  type UnsupportedReason,
  updateIdempotencyKey,
  withRetry,
} from './sync/index.js';
