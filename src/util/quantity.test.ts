import { describe, expect, it } from 'vitest';
import { cpuMillis, formatMilli, isQuantity, memoryBytes, parseQuantity, toMilli } from './quantity.js';

describe('quantity', () => {
  it('parses decimal, binary and exponent forms', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('256Mi')).toBe(256 * 2 ** 20);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1.5k')).toBe(1500);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(toMilli('100m') + toMilli('0.2')).toBe(300);
  });

  it('rejects garbage', () => {
    expect(() => parseQuantity('12 cores')).toThrow(/quantities must match/);
    expect(isQuantity('1Gb')).toBe(false);
    expect(isQuantity('')).toBe(false);
    expect(isQuantity('3')).toBe(true);
  });

  it('formats canonically', () => {
    expect(formatMilli(toMilli('1Gi'), 'requests.memory')).toBe('1Gi');
    expect(formatMilli(toMilli('1536Mi'), 'requests.memory')).toBe('1536Mi');
    expect(formatMilli(toMilli('1500m'), 'requests.cpu')).toBe('1500m');
    expect(formatMilli(toMilli('2'), 'requests.cpu')).toBe('2');
    expect(formatMilli(3000, 'pods')).toBe('3');
  });

  it('adds up requests leniently: absent or malformed is 0', () => {
    expect([cpuMillis('250m'), cpuMillis('1.5'), cpuMillis(undefined), cpuMillis('lots')]).toEqual([250, 1500, 0, 0]);
    expect([memoryBytes('128Mi'), memoryBytes('1G'), memoryBytes('1e3'), memoryBytes(undefined), memoryBytes('1Gb')]).toEqual([128 * 2 ** 20, 1e9, 1000, 0, 0]);
  });
});
