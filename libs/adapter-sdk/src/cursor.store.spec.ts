import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FileCursorStore } from './cursor.store.js';

describe('FileCursorStore', () => {
  it('starts empty, keeps the last cursor saved across instances, and leaves no temporary file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'evx-cursor-')), 'nested');
    const path = join(dir, 'telco-a-main.cursor');
    expect(await new FileCursorStore(path).load()).toBe('');
    const sut = new FileCursorStore(path);
    await sut.save('41');
    await sut.save('42');
    expect(await new FileCursorStore(path).load()).toBe('42');
    expect(readdirSync(dir)).toEqual(['telco-a-main.cursor']);
  });
});
