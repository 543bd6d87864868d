import {expect} from 'chai';

import {
  ValidationError,
  createOwnershipPolicy,
  externalCanWrite,
  localCanWrite,
  ownerFor,
  resolveField,
  type FieldResolutionInput,
} from '../../src/core/index.js';

const input = (overrides: Partial<FieldResolutionInput>): FieldResolutionInput => ({
  field: 'title',
  owner: 'shared',
  base: 'B',
  local: 'L',
  external: 'R',
  localUpdatedAt: '2026-01-02T00:00:00Z',
  externalUpdatedAt: '2026-01-01T00:00:00Z',
  strategy: 'external_wins',
  ...overrides,
});

describe('ownership policy', () => {
  it('gives every field to one side in the authoritative modes', () => {
    const external = createOwnershipPolicy('external_authoritative');
    const local = createOwnershipPolicy(' Spec_Kitty_Authoritative ');
    expect(ownerFor(external, 'status')).to.equal('external');
    expect(localCanWrite(external, 'status')).to.equal(false);
    expect(ownerFor(local, 'title')).to.equal('local');
    expect(externalCanWrite(local, 'title')).to.equal(false);
  });

  it('follows field owners in split mode, shared by default', () => {
    const split = createOwnershipPolicy('split_ownership', {status: 'local', title: 'External'});
    expect(ownerFor(split, 'status')).to.equal('local');
    expect(ownerFor(split, 'title')).to.equal('external');
    expect(ownerFor(split, 'labels')).to.equal('shared');
    expect(localCanWrite(split, 'labels') && externalCanWrite(split, 'labels')).to.equal(true);
  });

  it('rejects unknown modes, fields and owners, naming them', () => {
    expect(() => createOwnershipPolicy('split')).to.throw(ValidationError, /doctrine.mode/);
    expect(() => createOwnershipPolicy('split_ownership', {colour: 'local'})).to.throw(/field_owners.colour/);
    expect(() => createOwnershipPolicy('split_ownership', {status: 'me'})).to.throw(/unknown owner 'me'/);
  });
});

describe('resolveField (three-way, per field)', () => {
  it('takes the only side that changed, with no conflict', () => {
    expect(resolveField(input({local: 'B'}))).to.deep.include({
      value: 'R',
      source: 'external',
      conflict: null,
    });
    expect(resolveField(input({external: 'B'}))).to.deep.include({
      value: 'L',
      source: 'local',
      conflict: null,
    });
    expect(resolveField(input({local: 'X', external: 'X'}))).to.deep.include({value: 'X', conflict: null});
  });

  it('lets the owner decide a both-sides change of an owned field', () => {
    const result = resolveField(input({owner: 'local', strategy: 'external_wins'}));
    expect(result.value).to.equal('L');
    expect(result.conflict).to.deep.include({
      strategy: 'owner',
      winner: 'local',
      manual_review_required: false,
    });
  });

  it('applies each strategy to shared fields and records both values', () => {
    expect(resolveField(input({strategy: 'external_wins'})).value).to.equal('R');
    expect(resolveField(input({strategy: 'local_wins'})).value).to.equal('L');
    const manual = resolveField(input({strategy: 'manual_review'}));
    expect(manual.value).to.equal('L');
    expect(manual.conflict).to.deep.include({
      base_value: 'B',
      local_value: 'L',
      external_value: 'R',
      manual_review_required: true,
    });
    expect(resolveField(input({strategy: 'newer_timestamp'})).value).to.equal('L');
    expect(
      resolveField(input({strategy: 'newer_timestamp', externalUpdatedAt: '2026-01-02T00:00:00Z'})).value,
    ).to.equal('R');
    expect(resolveField(input({strategy: 'newer_timestamp', localUpdatedAt: null})).value).to.equal('R');
  });

  it('compares structured values by content (lists, refs)', () => {
    const result = resolveField(input({base: ['a'], local: ['a', 'b'], external: ['a']}));
    expect(result).to.deep.include({source: 'local', conflict: null});
  });
});
