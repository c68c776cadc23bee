import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { fromGlobalId, parseGlobalId, toGlobalId } from './ids.js';
import { afterCursorCondition, decodeCursor, encodeCursor, pageRequest, toPage } from './pagination.js';

const uuid = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

describe('global ids', () => {
  it('round-trips and checks the type', () => {
    const id = toGlobalId('Ticket', uuid);
    expect(parseGlobalId(id)).toEqual({ type: 'Ticket', id: uuid });
    expect(fromGlobalId('Ticket', id)).toBe(uuid);
    expect(() => fromGlobalId('Organization', id, 'organizationId')).toThrow(/not a valid Organization id/);
  });

  it('rejects garbage without throwing', () => {
    for (const bad of ['', 'nope', toGlobalId('Ticket', 'not-a-uuid'), 'x'.repeat(500), Buffer.from(':abc').toString('base64url')]) {
      expect(parseGlobalId(bad)).toBeNull();
    }
  });
});

describe('pagination', () => {
  it('defaults, caps and validates the page size', () => {
    expect(pageRequest({}).first).toBe(20);
    expect(pageRequest({ first: 100 }).first).toBe(100);
    expect(() => pageRequest({ first: 101 })).toThrow(AppError);
    expect(() => pageRequest({ first: -1 })).toThrow(/zero or a positive/);
  });

  it('round-trips cursors and rejects forged ones', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.006Z'), id: uuid };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of ['garbage', Buffer.from('[1]').toString('base64url'), Buffer.from('["no date", "x"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    }
  });

  it('selects strictly after the cursor in either direction', () => {
    const after = { createdAt: new Date(0), id: uuid };
    expect(afterCursorCondition(after)).toEqual({
      $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: uuid } }],
    });
    expect(JSON.stringify(afterCursorCondition(after, 'oldest-first'))).toContain('$gt');
    expect(afterCursorCondition(null)).toEqual({});
  });

  it('uses the look-ahead row only to know about the next page', () => {
    const page = toPage([1, 2, 3], { first: 2, after: null }, async () => 3);
    expect(page.items).toEqual([1, 2]);
    expect(page.hasNextPage).toBe(true);
    expect(toPage([1, 2], { first: 2, after: null }, async () => 2).hasNextPage).toBe(false);
  });
});

describe('errors', () => {
  it('maps codes to kinds and decides which are user errors', () => {
    expect(new AppError('TICKET_ALLOWANCE_EXHAUSTED', 'x').kind).toBe('ENTITLEMENT_REQUIRED');
    expect(new AppError('ILLEGAL_STATUS_TRANSITION', 'x').isUserError).toBe(true);
    expect(new AppError('FORBIDDEN', 'x').isUserError).toBe(false);
    const graphQLError = new AppError('NOT_FOUND', 'Ticket not found.', { field: ['id'] }).toGraphQLError();
    expect(graphQLError.extensions).toEqual({ code: 'NOT_FOUND', reason: 'NOT_FOUND', field: ['id'] });
  });
});
