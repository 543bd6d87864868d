/**
 * The GraphQL documents the Linear connector sends. Field and argument names were checked
 * against Linear's public SDL, `linear/linear` `packages/sdk/src/schema.graphql`:
 * - `Query.issues(after, before, filter: IssueFilter, first, includeArchived, last, orderBy:
 *   PaginationOrderBy)` -> `IssueConnection { nodes pageInfo }`; `Query.teams(filter:
 *   TeamFilter, first)`; `Query.issueLabels(filter: IssueLabelFilter, first)`; `Query.issue(id)`.
 * - `IssueFilter { team: TeamFilter, updatedAt: DateComparator, description:
 *   NullableStringComparator, id: IDComparator }` (as on `IssueCollectionFilter`).
 * - `Issue { id identifier title description priority url createdAt updatedAt state assignee
 *   labels(first) parent relations(first) inverseRelations(first) team }`; `IssueRelation {
 *   id type issue relatedIssue }`; `enum IssueRelationType { blocks duplicate related similar }`.
 * - `IssueCreateInput { teamId title description priority stateId assigneeId labelIds
 *   parentId }`, `IssueUpdateInput { title description priority stateId assigneeId labelIds
 *   parentId }`, `IssuePayload { success issue }`, `IssueRelationCreateInput { issueId
 *   relatedIssueId type }`, `IssueRelationPayload { success issueRelation }`.
 * - `commentCreate(input: CommentCreateInput { issueId body })`, `issueLabelCreate(input:
 *   IssueLabelCreateInput { name teamId })`, `issueRelationDelete(id)`.
 * The fake server (`test/fakes/linear`) validates every document against an allow-list of these
 * names, so a typo fails a test instead of production.
 */

const RELATIONS_PAGE = 50;

/** The selection every issue read uses. */
export const ISSUE_FIELDS = `
  id
  identifier
  title
  description
  priority
  url
  createdAt
  updatedAt
  team { id key }
  state { id name type }
  assignee { id }
  labels(first: 100) { nodes { id name } }
  parent { id identifier team { key } }
  relations(first: ${RELATIONS_PAGE}) { nodes { id type relatedIssue { id identifier team { key } } } }
  inverseRelations(first: ${RELATIONS_PAGE}) { nodes { id type issue { id identifier team { key } } } }
`;

export const TEAM_QUERY = `
query SpecKittyTeam($key: String!) {
  teams(filter: {key: {eq: $key}}, first: 1) {
    nodes {
      id
      key
      name
      states(first: 100) { nodes { id name type position } }
    }
  }
}`;

/**
 * One page of a team's issues. Linear's `orderBy: updatedAt` lists the most recently updated
 * first (Linear docs, "Pagination"), so the connector walks the list backwards with
 * `last`/`before` from its end: pages come oldest first, which makes every stored page a safe
 * checkpoint (the newest `updated_at` seen only grows).
 */
export const ISSUES_PAGE_QUERY = `
query SpecKittyIssues($filter: IssueFilter, $last: Int, $before: String) {
  issues(filter: $filter, orderBy: updatedAt, last: $last, before: $before, includeArchived: true) {
    pageInfo { hasPreviousPage startCursor }
    nodes { ${ISSUE_FIELDS} }
  }
}`;

export const FIND_BY_MARKER_QUERY = `
query SpecKittyFindByMarker($filter: IssueFilter) {
  issues(filter: $filter, first: 5, includeArchived: true) {
    nodes { ${ISSUE_FIELDS} }
  }
}`;

export const ISSUE_QUERY = `
query SpecKittyIssue($id: String!) {
  issue(id: $id) { ${ISSUE_FIELDS} }
}`;

export const LABELS_QUERY = `
query SpecKittyLabels($filter: IssueLabelFilter) {
  issueLabels(filter: $filter, first: 250) {
    nodes { id name team { id } }
  }
}`;

export const LABEL_CREATE_MUTATION = `
mutation SpecKittyLabelCreate($input: IssueLabelCreateInput!) {
  issueLabelCreate(input: $input) { success issueLabel { id name } }
}`;

export const ISSUE_CREATE_MUTATION = `
mutation SpecKittyIssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { ${ISSUE_FIELDS} } }
}`;

export const ISSUE_UPDATE_MUTATION = `
mutation SpecKittyIssueUpdate($id: String!, $input: IssueUpdateInput!) {
  issueUpdate(id: $id, input: $input) { success issue { ${ISSUE_FIELDS} } }
}`;

export const COMMENT_CREATE_MUTATION = `
mutation SpecKittyCommentCreate($input: CommentCreateInput!) {
  commentCreate(input: $input) { success comment { id } }
}`;

export const RELATION_CREATE_MUTATION = `
mutation SpecKittyRelationCreate($input: IssueRelationCreateInput!) {
  issueRelationCreate(input: $input) { success issueRelation { id type } }
}`;

export const RELATION_DELETE_MUTATION = `
mutation SpecKittyRelationDelete($id: String!) {
  issueRelationDelete(id: $id) { success }
}`;

/** A comment by the id the client chose when posting it (see `linearCommentId`). */
export const COMMENT_QUERY = `
query SpecKittyComment($id: String!) {
  comment(id: $id) { id }
}`;
