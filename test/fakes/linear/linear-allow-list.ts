import type {AllowListSchema} from './mini-graphql.js';

/**
 * The part of Linear's public schema (`linear/linear` `packages/sdk/src/schema.graphql`) the
 * connector may use: type -> field -> return type and argument names. Anything outside it is a
 * validation error in the fake, as it would be (or should be) against the real API.
 */
const PAGING = ['after', 'before', 'first', 'last', 'includeArchived', 'orderBy'];

export const LINEAR_ALLOW_LIST: AllowListSchema = {
  Query: {
    issues: {type: 'IssueConnection', args: [...PAGING, 'filter']},
    issue: {type: 'Issue', args: ['id']},
    teams: {type: 'TeamConnection', args: [...PAGING, 'filter']},
    issueLabels: {type: 'IssueLabelConnection', args: [...PAGING, 'filter']},
    comment: {type: 'Comment', args: ['hash', 'id']},
  },
  Mutation: {
    issueCreate: {type: 'IssuePayload', args: ['input']},
    issueUpdate: {type: 'IssuePayload', args: ['id', 'input']},
    commentCreate: {type: 'CommentPayload', args: ['input']},
    issueRelationCreate: {type: 'IssueRelationPayload', args: ['input']},
    issueRelationDelete: {type: 'DeletePayload', args: ['id']},
    issueLabelCreate: {type: 'IssueLabelPayload', args: ['input']},
  },
  PageInfo: {
    hasNextPage: {type: 'Boolean'},
    hasPreviousPage: {type: 'Boolean'},
    startCursor: {type: 'String'},
    endCursor: {type: 'String'},
  },
  IssueConnection: {nodes: {type: 'Issue'}, pageInfo: {type: 'PageInfo'}},
  Issue: {
    id: {type: 'ID'},
    identifier: {type: 'String'},
    title: {type: 'String'},
    description: {type: 'String'},
    priority: {type: 'Float'},
    priorityLabel: {type: 'String'},
    url: {type: 'String'},
    createdAt: {type: 'DateTime'},
    updatedAt: {type: 'DateTime'},
    archivedAt: {type: 'DateTime'},
    team: {type: 'Team'},
    state: {type: 'WorkflowState'},
    assignee: {type: 'User'},
    labels: {type: 'IssueLabelConnection', args: [...PAGING, 'filter']},
    parent: {type: 'Issue'},
    relations: {type: 'IssueRelationConnection', args: PAGING},
    inverseRelations: {type: 'IssueRelationConnection', args: PAGING},
  },
  Team: {
    id: {type: 'ID'},
    key: {type: 'String'},
    name: {type: 'String'},
    states: {type: 'WorkflowStateConnection', args: [...PAGING, 'filter']},
  },
  TeamConnection: {nodes: {type: 'Team'}, pageInfo: {type: 'PageInfo'}},
  WorkflowState: {
    id: {type: 'ID'},
    name: {type: 'String'},
    type: {type: 'String'},
    position: {type: 'Float'},
  },
  WorkflowStateConnection: {nodes: {type: 'WorkflowState'}, pageInfo: {type: 'PageInfo'}},
  User: {id: {type: 'ID'}, name: {type: 'String'}, displayName: {type: 'String'}, email: {type: 'String'}},
  IssueLabel: {id: {type: 'ID'}, name: {type: 'String'}, team: {type: 'Team'}},
  IssueLabelConnection: {nodes: {type: 'IssueLabel'}, pageInfo: {type: 'PageInfo'}},
  IssueRelation: {
    id: {type: 'ID'},
    type: {type: 'String'},
    issue: {type: 'Issue'},
    relatedIssue: {type: 'Issue'},
  },
  IssueRelationConnection: {nodes: {type: 'IssueRelation'}, pageInfo: {type: 'PageInfo'}},
  IssuePayload: {success: {type: 'Boolean'}, lastSyncId: {type: 'Float'}, issue: {type: 'Issue'}},
  Comment: {id: {type: 'ID'}, body: {type: 'String'}},
  CommentPayload: {success: {type: 'Boolean'}, lastSyncId: {type: 'Float'}, comment: {type: 'Comment'}},
  IssueRelationPayload: {
    success: {type: 'Boolean'},
    lastSyncId: {type: 'Float'},
    issueRelation: {type: 'IssueRelation'},
  },
  DeletePayload: {success: {type: 'Boolean'}, lastSyncId: {type: 'Float'}},
  IssueLabelPayload: {
    success: {type: 'Boolean'},
    lastSyncId: {type: 'Float'},
    issueLabel: {type: 'IssueLabel'},
  },
};
