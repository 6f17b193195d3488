import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtInProfile } from '#evx/adapter-contract';
import { AdapterTestUsageError, profileFor, splitCommand } from './adapter-test.command.js';

describe('evx adapter-test: which adapter', () => {
  it('knows the reference adapters by name', () => {
    const sut = profileFor({ adapter: 'mock-bank', distRoot: '/dist' });
    expect(sut).toMatchObject({ name: 'mock-bank', providerId: 'bank-b', identity: 'bank-b.main' });
    expect(sut.command.at(-1)).toBe('/dist/apps/mock-bank/src/main.js');
  });

  it('refuses any other adapter without a profile, saying what to give', () => {
    expect(() => profileFor({ adapter: 'node acme.js' })).toThrow(AdapterTestUsageError);
    expect(() => profileFor({ adapter: 'node acme.js' })).toThrow(/--profile <file.json>/);
  });

  it('takes the command from --adapter and the rest from the profile', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'evx-kit-')), 'acme.json');
    writeFileSync(file, JSON.stringify({ ...builtInProfile('mock-telecom', '/dist'), name: 'acme', command: ['x'] }));
    const sut = profileFor({ adapter: 'node "my adapter.js" --fast', profile: file });
    expect(sut.name).toBe('acme');
    expect(sut.command).toEqual(['node', 'my adapter.js', '--fast']);
  });

  it('splits a command line without a shell, keeping quoted parts whole', () => {
    expect(splitCommand(`node 'a b.js' "c d" e`)).toEqual(['node', 'a b.js', 'c d', 'e']);
    expect(splitCommand('  ')).toEqual([]);
  });
});
