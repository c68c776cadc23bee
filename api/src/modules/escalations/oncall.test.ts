import { describe, expect, it } from 'vitest';
import { onCallIn, onCallNow, rotationProblems } from './oncall.js';

const weekly = { name: 'primary', userIds: ['ann', 'bob', 'cat'], startDate: '2026-03-02', handoffTime: '09:00', shiftDays: 7 };

describe('on-call rotations', () => {
  it('hands off at the local time, weekly, in order, wrapping around', () => {
    expect(onCallIn(weekly, 'America/New_York', new Date('2026-03-02T13:59:00Z'))).toBeNull();
    expect(onCallIn(weekly, 'America/New_York', new Date('2026-03-02T14:00:00Z'))).toBe('ann');
    expect(onCallIn(weekly, 'America/New_York', new Date('2026-03-09T12:59:00Z'))).toBe('ann');
    // 2026-03-08 is the spring-forward day: 09:00 EDT on the 9th is 13:00 UTC.
    expect(onCallIn(weekly, 'America/New_York', new Date('2026-03-09T13:00:00Z'))).toBe('bob');
    expect(onCallIn(weekly, 'America/New_York', new Date('2026-03-23T13:00:00Z'))).toBe('ann');
  });

  it('combines layers without duplicates', () => {
    const daily = { name: 'backup', userIds: ['bob', 'dan'], startDate: '2026-03-02', handoffTime: '00:00', shiftDays: 1 };
    expect(onCallNow({ timeZone: 'UTC', rotations: [weekly, daily] }, new Date('2026-03-03T10:00:00Z'))).toEqual(['ann', 'dan']);
    expect(onCallNow({ timeZone: 'UTC', rotations: [weekly, daily] }, new Date('2026-03-10T10:00:00Z'))).toEqual(['bob']);
  });

  it('explains what is wrong with a rotation', () => {
    expect(rotationProblems(weekly)).toEqual([]);
    expect(rotationProblems({ ...weekly, userIds: [], handoffTime: '25:00', startDate: 'soon', shiftDays: 0 })).toHaveLength(4);
  });
});
