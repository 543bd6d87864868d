/**
 * The workflows of the fake Jira: statuses with categories and transitions per issue type.
 *
 * - `standard` (Task, Story, Epic, Subtask): To Do -> In Progress -> Done needs two
 *   transitions (no direct To Do -> Done), with Stop, Reopen and a Cancel to "Won't Do".
 * - `dead-end` (Bug): To Do <-> Triage only; nothing leads to a done status.
 */

export interface FakeStatus {
  readonly id: string;
  readonly name: string;
  readonly category: 'new' | 'indeterminate' | 'done';
}

export interface FakeTransition {
  readonly id: string;
  readonly name: string;
  readonly from: readonly string[];
  readonly to: string;
}

export interface FakeWorkflow {
  readonly name: string;
  readonly initial: string;
  readonly transitions: readonly FakeTransition[];
}

export interface FakeIssueType {
  readonly id: string;
  readonly name: string;
  readonly subtask: boolean;
  readonly workflow: string;
}

export const FAKE_STATUSES: readonly FakeStatus[] = [
  {id: '1', name: 'To Do', category: 'new'},
  {id: '3', name: 'In Progress', category: 'indeterminate'},
  {id: '10001', name: 'Done', category: 'done'},
  {id: '10002', name: "Won't Do", category: 'done'},
  {id: '10010', name: 'Triage', category: 'indeterminate'},
];

export const FAKE_WORKFLOWS: readonly FakeWorkflow[] = [
  {
    name: 'standard',
    initial: '1',
    transitions: [
      {id: '11', name: 'Start', from: ['1'], to: '3'},
      {id: '21', name: 'Finish', from: ['3'], to: '10001'},
      {id: '31', name: 'Stop', from: ['3'], to: '1'},
      {id: '41', name: 'Reopen', from: ['10001'], to: '1'},
      {id: '51', name: 'Cancel', from: ['1'], to: '10002'},
      {id: '61', name: 'Restore', from: ['10002'], to: '1'},
    ],
  },
  {
    name: 'dead-end',
    initial: '1',
    transitions: [
      {id: '71', name: 'Triage', from: ['1'], to: '10010'},
      {id: '81', name: 'Back to To Do', from: ['10010'], to: '1'},
    ],
  },
];

export const FAKE_ISSUE_TYPES: readonly FakeIssueType[] = [
  {id: '10000', name: 'Epic', subtask: false, workflow: 'standard'},
  {id: '10001', name: 'Task', subtask: false, workflow: 'standard'},
  {id: '10002', name: 'Bug', subtask: false, workflow: 'dead-end'},
  {id: '10003', name: 'Story', subtask: false, workflow: 'standard'},
  {id: '10004', name: 'Subtask', subtask: true, workflow: 'standard'},
  {id: '10005', name: 'Sub-task', subtask: true, workflow: 'standard'},
];

export function statusById(id: string): FakeStatus {
  const status = FAKE_STATUSES.find((s) => s.id === id);
  if (!status) throw new Error(`fake Jira: no status ${id}`);
  return status;
}

export function statusByName(name: string): FakeStatus | undefined {
  return FAKE_STATUSES.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

export function workflowOf(type: FakeIssueType): FakeWorkflow {
  return FAKE_WORKFLOWS.find((w) => w.name === type.workflow)!;
}

export function availableTransitions(type: FakeIssueType, statusId: string): FakeTransition[] {
  return workflowOf(type).transitions.filter((t) => t.from.includes(statusId));
}
