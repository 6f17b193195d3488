// Figures 1, 2 and 7 need pieces that may not exist yet in a given checkout (the upload path, the vault package
// store, the adapter SDK and mock providers). Their absence gives a "not measured yet" row naming what is missing,
// never a number; anything else that goes wrong is a failure.
import { status } from '@grpc/grpc-js';

export class PieceMissing extends Error {
  override name = 'PieceMissing';
}

/** True when `error` says a piece is not there: a module or export missing, or an RPC not implemented. */
export function isMissingPiece(error: unknown): boolean {
  if (error instanceof PieceMissing) return true;
  const e = error as { code?: unknown; message?: string };
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === status.UNIMPLEMENTED) return true;
  return error instanceof SyntaxError && /does not provide an export/.test(e.message ?? '');
}

/**
 * `import()` of a library that is being built: a failure, or an export the benchmark needs that is not there yet,
 * becomes PieceMissing with the reason.
 */
export async function importPiece<T extends object>(
  name: string,
  load: () => Promise<T>,
  needs: readonly string[],
): Promise<T> {
  let module: T;
  try {
    module = await load();
  } catch (error) {
    throw new PieceMissing(`${name} cannot be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  const absent = needs.filter((n) => !(n in module));
  if (absent.length) throw new PieceMissing(`${name} does not export ${absent.join(', ')} yet`);
  return module;
}
