import { ManualClock } from './manual.clock.js';

describe('ManualClock', () => {
  it('stands still until advanced', () => {
    const sut = new ManualClock('2030-01-01T00:00:00.000Z');
    expect(sut.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(sut.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    sut.advance({ days: 1, hours: 2, minutes: 3, millis: 4 });
    expect(sut.now().toISOString()).toBe('2030-01-02T02:03:00.004Z');
  });

  it('hands out copies, so callers cannot move it', () => {
    const sut = new ManualClock();
    sut.now().setTime(0);
    expect(sut.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('refuses to go back by advancing', () => {
    expect(() => new ManualClock().advance({ hours: -1 })).toThrow('only moves forward');
  });
});
