import {expect} from 'chai';
import fc from 'fast-check';
import {
  ConnectorRequestError,
  createOwnershipPolicy,
  localCanWrite,
  type CanonicalIssue,
  type IssuePatch,
  type OwnershipPolicy,
} from '../../../src/core/index.js';
import {harness} from './harness.js';

/** Fields the property edits (links and custom fields have their own tests). */
const FIELDS = ['title', 'body', 'status', 'priority', 'labels'] as const;
type Field = (typeof FIELDS)[number];

const valueFor = (field: Field, n: number): IssuePatch => {
  switch (field) {
    case 'title':
      return {title: `title ${n}`};
    case 'body':
      return {body: n === 0 ? null : `body ${n}`};
    case 'status':
      return {status: (['todo', 'in_progress', 'done'] as const)[n % 3]};
    case 'priority':
      return {priority: n % 3 === 0 ? null : n % 5};
    case 'labels':
      return {labels: n === 0 ? [] : [`l${n}`, ...(n % 2 ? ['odd'] : [])]};
  }
};

type Op =
  | {kind: 'local'; issue: number; field: Field; n: number}
  | {kind: 'remote'; issue: number; field: Field; n: number}
  | {kind: 'draft'; n: number}
  | {kind: 'sync'}
  | {kind: 'tick'; ms: number}
  | {kind: 'fail'; op: FailingOp; failure: 'transient' | 'validation' | 'crash'; after: boolean};

const FAILING_OPS = [
  'listIssues',
  'getIssue',
  'createIssue',
  'updateIssue',
  'transitionIssue',
  'findByIdempotencyKey',
] as const;
type FailingOp = (typeof FAILING_OPS)[number];

function failureFor(kind: 'transient' | 'validation' | 'crash'): Error {
  if (kind === 'crash') return new Error('simulated crash');
  return new ConnectorRequestError(`simulated ${kind}`, {
    provider: 'memory',
    failureClass: kind,
    statusCode: kind === 'transient' ? 503 : 422,
  });
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('local' as const),
      issue: fc.nat(4),
      field: fc.constantFrom(...FIELDS),
      n: fc.nat(4),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('remote' as const),
      issue: fc.nat(4),
      field: fc.constantFrom(...FIELDS),
      n: fc.nat(4),
    }),
  },
  {weight: 1, arbitrary: fc.record({kind: fc.constant('draft' as const), n: fc.nat(4)})},
  {weight: 2, arbitrary: fc.constant({kind: 'sync' as const})},
  {
    weight: 2,
    arbitrary: fc.record({kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 500, 1000, 60_000)}),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fail' as const),
      op: fc.constantFrom(...FAILING_OPS),
      failure: fc.constantFrom('transient' as const, 'validation' as const, 'crash' as const),
      after: fc.boolean(),
    }),
  },
);

const policyArb: fc.Arbitrary<OwnershipPolicy> = fc.constantFrom(
  createOwnershipPolicy('spec_kitty_authoritative'),
  createOwnershipPolicy('split_ownership'),
  createOwnershipPolicy('split_ownership', {status: 'external', title: 'local'}),
  createOwnershipPolicy('split_ownership', {labels: 'external', body: 'local'}),
);

const fieldsOf = (issue: CanonicalIssue) => Object.fromEntries(FIELDS.map((f) => [f, issue[f]]));

describe('sync convergence (property)', () => {
  // INV-10: a command that decides nothing writes nothing.
  it('after a final sync, local and remote agree on every field, and another run writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        fc.constantFrom('external_wins' as const, 'local_wins' as const, 'newer_timestamp' as const),
        fc.integer({min: 1, max: 3}),
        fc.array(opArb, {minLength: 1, maxLength: 18}),
        async (policy, strategy, pageSize, ops) => {
          const h = harness({policy, strategy, engine: {pageSize}});
          for (let i = 1; i <= 3; i++) h.connector.seed({title: `seed ${i}`});
          await h.engine.run({yes: true});
          let drafts = 0;
          // Scripted failures (including crashes after the remote side effect) only before the final sync.
          let armed = true;
          for (const op of ops) {
            h.clock.advance(250);
            if (op.kind === 'tick') h.clock.advance(op.ms);
            else if (op.kind === 'fail')
              h.connector.failOn(op.op, failureFor(op.failure), {after: op.after, when: () => armed});
            else if (op.kind === 'sync')
              await h.engine
                .run({yes: true})
                .catch((error: Error) => expect(error.message).to.equal('simulated crash'));
            else if (op.kind === 'draft') await h.draft(++drafts, `draft ${op.n}`, valueFor('labels', op.n));
            else if (op.kind === 'remote') {
              const remote = h.connector.allRemote();
              h.connector.remoteEdit(remote[op.issue % remote.length]!.ref.id, valueFor(op.field, op.n));
            } else if (localCanWrite(policy, op.field)) {
              // A well-behaved CLI only edits fields the local side may write.
              const local = await h.store.listIssues();
              await h.store.recordLocalEdit(local[op.issue % local.length]!.ref, valueFor(op.field, op.n));
            }
          }
          armed = false;
          const final = await h.engine.run({yes: true});
          expect(final.ok, JSON.stringify(final.failures)).to.equal(true);

          const remote = h.connector.allRemote();
          const local = await h.store.listIssues();
          // Every draft became exactly one remote issue (no duplicate from a retried create).
          expect(remote.length).to.equal(3 + drafts);
          expect(local.map((i) => i.ref.id).sort()).to.deep.equal(remote.map((i) => i.ref.id).sort());
          for (const issue of remote) {
            const mine = local.find((i) => i.ref.id === issue.ref.id)!;
            expect(fieldsOf(mine), `issue ${issue.ref.id}`).to.deep.equal(fieldsOf(issue));
          }
          expect(await h.store.listPending()).to.deep.equal([]);

          const appended = h.store.memoryLog.appended.length;
          const before = h.connector.requests.length;
          const again = await h.engine.run({yes: true});
          expect(again.summary.writes).to.equal(0);
          expect(h.connector.requests.slice(before).every((r) => r.op === 'listIssues')).to.equal(true);
          expect(h.store.memoryLog.appended.length).to.equal(appended);
        },
      ),
      {numRuns: Number(process.env.SYNC_PROPERTY_RUNS ?? 150)},
    );
  });
});
