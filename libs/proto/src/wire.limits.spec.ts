import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from './generated/evx/v1/common.js';
import { errorCodeFromTrailer, errorCodeTrailerValue } from './wire.limits.js';

describe('evx-error-code trailer values', () => {
  it('are ErrorCode names without the ERROR_CODE_ prefix', () => {
    expect(errorCodeTrailerValue(ErrorCode.ERROR_CODE_STALE_GENERATION)).toBe('STALE_GENERATION');
    expect(errorCodeFromTrailer('EVIDENCE_SEALED')).toBe(ErrorCode.ERROR_CODE_EVIDENCE_SEALED);
  });

  it('round-trip every code', () => {
    for (const code of Object.values(ErrorCode).filter((c) => c !== ErrorCode.ERROR_CODE_UNSPECIFIED)) {
      expect(errorCodeFromTrailer(errorCodeTrailerValue(code))).toBe(code);
    }
  });

  it('read codes this build does not know as undefined', () => {
    expect(errorCodeFromTrailer('SOMETHING_NEWER')).toBeUndefined();
    expect(errorCodeFromTrailer('UNSPECIFIED')).toBeUndefined();
    expect(errorCodeFromTrailer('toString')).toBeUndefined();
  });
});
