/**
 * The GraphQL documents the Linear connector sends. Field and argument names follow Linear's
 * public SDL (`linear/linear` `packages/sdk/src/schema.graphql`); the fake server validates
 * every document against that schema, so a typo fails a test instead of production.
 *
 * Linear scores every request before running it and refuses any above 10,000 points: a field
 * costs 0.1, an object 1, and everything inside a connection counts once per item it may
 * return (`first`/`last`, 50 when neither is given). Nested connections therefore multiply
 * with the page: an issue page asks for a few labels and relations per issue (enough for
 * nearly every issue) with `pageInfo`, and the connector fetches the rest on demand, only for
 * the issues whose connection says it has more (`ISSUE_LABELS_QUERY`, `ISSUE_RELATIONS_QUERY`,
 * `ISSUE_INVERSE_RELATIONS_QUERY`). `LINEAR_MAX_PAGE` is the largest page whose score stays
 * below the cap; a unit test scores every document here for every page size it may be sent
 * with.
 */

/** Linear's per-request complexity cap. */
export const LINEAR_COMPLEXITY_CAP = 10_000;

/** Labels and relations fetched with each issue; more are fetched on demand. */
export const NESTED_LABELS = 10;
export const NESTED_RELATIONS = 5;

/**
 * The largest issue page: one issue of `ISSUE_FIELDS` scores about 82 points (with its place
 * in the page), so 100 issues score about 8,300, leaving room under the cap.
 */
export const LINEAR_MAX_PAGE = 100;

/** Page size of the on-demand follow-ups for one issue's labels or relations. */
export const OVERFLOW_PAGE = 100;

const MORE = 'pageInfo { hasNextPage endCursor }';
const RELATED_NODE = 'id identifier team { key }';

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
  labels(first: ${NESTED_LABELS}) { nodes { id name } ${MORE} }
  parent { id identifier team { key } }
  relations(first: ${NESTED_RELATIONS}) { nodes { id type relatedIssue { ${RELATED_NODE} } } ${MORE} }
  inverseRelations(first: ${NESTED_RELATIONS}) { nodes { id type issue { ${RELATED_NODE} } } ${MORE} }
`;

/** The rest of one issue's labels, after the ones that came with the issue. */
export const ISSUE_LABELS_QUERY = `
query SpecKittyIssueLabels($id: String!, $after: String) {
  issue(id: $id) {
    labels(first: ${OVERFLOW_PAGE}, after: $after) { nodes { id name } ${MORE} }
  }
}`;

/** The rest of one issue's relations ("this issue <type> related issue"). */
export const ISSUE_RELATIONS_QUERY = `
query SpecKittyIssueRelations($id: String!, $after: String) {
  issue(id: $id) {
    relations(first: ${OVERFLOW_PAGE}, after: $after) {
      nodes { id type relatedIssue { ${RELATED_NODE} } } ${MORE}
    }
  }
}`;

/** The rest of one issue's inverse relations ("other issue <type> this issue"). */
export const ISSUE_INVERSE_RELATIONS_QUERY = `
query SpecKittyIssueInverseRelations($id: String!, $after: String) {
  issue(id: $id) {
    inverseRelations(first: ${OVERFLOW_PAGE}, after: $after) {
      nodes { id type issue { ${RELATED_NODE} } } ${MORE}
    }
  }
}`;

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
