import { adapterDurable, adapterSequence, vaultSequence } from './upload-numbering.js';

describe('upload numbering', () => {
  it('counts rejections that directly follow the vault-durable records as settled', () => {
    expect(adapterDurable(0, [])).toBe(0);
    expect(adapterDurable(2, [3])).toBe(3);
    expect(adapterDurable(0, [1, 2])).toBe(2);
    // adapter 1, 2 and 4 are vault 1, 2, 3; adapter 3 was rejected here
    expect(adapterDurable(3, [3])).toBe(4);
  });

  it('stops at the first record neither durable nor rejected', () => {
    expect(adapterDurable(2, [5])).toBe(2);
    expect(adapterDurable(3, [2, 7])).toBe(4);
  });

  it('shifts later records down by the rejections before them', () => {
    expect(vaultSequence(4, 1)).toBe(3);
    expect(vaultSequence(1, 0)).toBe(1);
  });

  it("maps a vault number back to the adapter's from the ascending rejection list alone", () => {
    expect(adapterSequence(1, [])).toBe(1);
    // adapter 1, 3, 5, 6 are vault 1, 2, 3, 4; adapter 2 and 4 were rejected here
    expect([1, 2, 3, 4].map((v) => adapterSequence(v, [2, 4]))).toEqual([1, 3, 5, 6]);
    expect(adapterSequence(1, [1, 2, 9])).toBe(3);
    for (let adapter = 1; adapter <= 12; adapter++) {
      const rejected = [3, 4, 8];
      if (rejected.includes(adapter)) continue;
      const before = rejected.filter((r) => r < adapter).length;
      expect(adapterSequence(vaultSequence(adapter, before), rejected)).toBe(adapter);
    }
  });
});
