import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from '../../src/observe/duration.js';

test('durations read in units a person uses, exact to the microsecond', () => {
  const cases: Array<[number, string]> = [
    [0, '0 ms'],
    [0.25, '0.25 ms'],
    [999.999, '999.999 ms'],
    [1000, '1 s'],
    [1500, '1.5 s'],
    [59_999, '59.999 s'],
    [60_000, '1 min'],
    [127_200, '2 min 7.2 s'],
    [7_200_000, '2 h 0 min'],
    [14_400_040, '4 h 0 min 0.04 s'],
    [15_075_040, '4 h 11 min 15.04 s'],
    [3_600_000.001, '1 h 0 min 0.000001 s'],
    [-1500, '-1.5 s'],
  ];
  for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, String(ms));
  assert.equal(formatDuration(Number.NaN), 'NaN');
});
