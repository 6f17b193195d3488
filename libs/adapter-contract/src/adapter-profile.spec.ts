import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { absoluteTimeRange, builtInProfile, checkProfile, loadProfile, ProfileError } from './adapter-profile.js';

describe('adapter profiles', () => {
  it('has built-in profiles for both reference adapters, each valid, one happy path per request type', () => {
    for (const name of ['mock-telecom', 'mock-bank']) {
      const sut = builtInProfile(name, '/dist');
      expect(sut).toBeDefined();
      expect(() => checkProfile(sut, name)).not.toThrow();
      const types = sut!.happyPaths.flatMap((h) => h.scope.requestTypes);
      expect(new Set(types).size).toBe(types.length);
      expect(sut!.command[1]).toBe(`/dist/apps/${name}/src/main.js`);
    }
    expect(builtInProfile('mock-other', '/dist')).toBeUndefined();
  });

  it('names every problem of a bad profile file at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evx-profile-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ name: 'x', providerId: 'Telco A', command: [], happyPaths: [] }));
    const error = (() => {
      try {
        loadProfile(file);
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ProfileError');
    })();
    expect(error).toBeInstanceOf(ProfileError);
    for (const part of ['providerId', 'command', 'happyPaths', 'refusal', 'resume.scope'])
      expect(error.message).toContain(part);

    writeFileSync(file, '{not json');
    expect(() => loadProfile(file)).toThrow(ProfileError);
  });

  it('refuses an unknown request type', () => {
    const profile = {
      ...builtInProfile('mock-bank', '/dist'),
      refusal: { requestTypes: ['BANK_SECRETS'], selectors: [{ selectorId: 'a', kind: 'iban', value: 'X' }] },
    };
    expect(() => checkProfile(profile, 'p')).toThrow(/refusal.requestTypes/);
  });

  it('resolves "the last N days" against now; absolute periods stay as given', () => {
    const now = new Date('2026-01-31T00:00:00.000Z');
    expect(absoluteTimeRange({ lastDays: 30 }, now)).toEqual({
      start: '2026-01-01T00:00:00.000Z',
      end: now.toISOString(),
    });
    expect(absoluteTimeRange({ start: 'a', end: 'b' }, now)).toEqual({ start: 'a', end: 'b' });
    expect(absoluteTimeRange(undefined, now)).toBeUndefined();
  });
});
