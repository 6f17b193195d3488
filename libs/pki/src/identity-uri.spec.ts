import { describe, expect, it } from '@jest/globals';
import { IdentityError, IdentityErrorCode } from './identity-error.js';
import { formatIdentityUri, parseIdentityUri } from './identity-uri.js';

describe('parseIdentityUri', () => {
  it('parses every actor kind', () => {
    expect(parseIdentityUri('evx://authority/police-hn/investigator/inv-1')).toEqual({
      uri: 'evx://authority/police-hn/investigator/inv-1',
      domain: 'authority',
      kind: 'investigator',
      agency: 'police-hn',
      id: 'inv-1',
    });
    expect(parseIdentityUri('evx://authority/police-hn/approver/judge-1')).toMatchObject({ kind: 'approver', agency: 'police-hn', id: 'judge-1' });
    expect(parseIdentityUri('evx://provider/telco-a/adapter/main')).toMatchObject({ domain: 'provider', kind: 'adapter', provider: 'telco-a', name: 'main' });
    expect(parseIdentityUri('evx://oversight/dpa/auditor/aud-1')).toMatchObject({ domain: 'oversight', kind: 'auditor', body: 'dpa', id: 'aud-1' });
    expect(parseIdentityUri('evx://service/vault')).toMatchObject({ domain: 'service', kind: 'service', name: 'vault' });
  });

  it.each([
    ['wrong scheme', 'https://authority/police-hn/investigator/inv-1'],
    ['uppercase', 'evx://authority/Police-HN/investigator/inv-1'],
    ['uppercase scheme', 'EVX://authority/police-hn/investigator/inv-1'],
    ['trailing slash', 'evx://authority/police-hn/investigator/inv-1/'],
    ['extra segment', 'evx://authority/police-hn/investigator/inv-1/x'],
    ['missing id', 'evx://authority/police-hn/investigator'],
    ['kind from another domain', 'evx://authority/police-hn/adapter/main'],
    ['unknown domain', 'evx://police/police-hn/investigator/inv-1'],
    ['percent-encoding', 'evx://authority/police%2Dhn/investigator/inv-1'],
    ['dot segment', 'evx://authority/../investigator/inv-1'],
    ['leading hyphen', 'evx://authority/-police/investigator/inv-1'],
    ['query', 'evx://service/vault?x=1'],
    ['too long segment', `evx://service/${'a'.repeat(64)}`],
    ['service with path', 'evx://service/vault/extra'],
  ])('refuses %s', (_label, uri) => {
    expect(() => parseIdentityUri(uri)).toThrow(IdentityError);
    try {
      parseIdentityUri(uri);
    } catch (error) {
      expect((error as IdentityError).code).toBe(IdentityErrorCode.BAD_IDENTITY_URI);
      expect((error as IdentityError).message).toContain('Expected one of');
    }
  });

  it('accepts a 63-character segment', () => {
    expect(parseIdentityUri(`evx://service/${'a'.repeat(63)}`).kind).toBe('service');
  });
});

describe('formatIdentityUri', () => {
  it('round-trips with the parser', () => {
    const uri = formatIdentityUri({ domain: 'provider', kind: 'adapter', provider: 'bank-b', name: 'main' });
    expect(uri).toBe('evx://provider/bank-b/adapter/main');
    expect(parseIdentityUri(uri)).toMatchObject({ provider: 'bank-b', name: 'main' });
  });

  it('refuses invalid parts', () => {
    expect(() => formatIdentityUri({ domain: 'service', kind: 'service', name: 'Vault' })).toThrow(IdentityError);
  });
});
