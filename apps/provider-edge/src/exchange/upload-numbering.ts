// The vault numbers an upload's records 1, 2, 3 ... without gaps; records provider-edge rejected (scope, size)
// never reach it. These two functions translate between the adapter's sequence numbers and the vault's, from the
// stored list of provider-edge's rejections, so a resumed upload lands exactly where the last one stopped.

/** The adapter's durable sequence number: everything up to it is durable at the vault or rejected here. */
export function adapterDurable(vaultDurable: number, edgeRejectedAscending: readonly number[]): number {
  let durable = vaultDurable;
  for (const rejected of edgeRejectedAscending) {
    if (rejected <= durable + 1) durable += 1;
    else break;
  }
  return durable;
}

/** The vault's sequence number of an adapter record that was not rejected here. */
export function vaultSequence(adapterSequence: number, edgeRejectedBefore: number): number {
  return adapterSequence - edgeRejectedBefore;
}

/** The adapter's sequence number of the vault's `vaultSequenceNumber` (a record provider-edge did not reject). */
export function adapterSequence(vaultSequenceNumber: number, edgeRejectedAscending: readonly number[]): number {
  let adapter = vaultSequenceNumber;
  for (const rejected of edgeRejectedAscending) {
    if (rejected <= adapter) adapter += 1;
    else break;
  }
  return adapter;
}
