import { approverRoleFromCertificate, personKeyOf, personKeyOfUri } from './actor.model.js';

describe('actors', () => {
  it.each([
    ['supervisor', 'SUPERVISOR'],
    ['duty-officer', 'DUTY_OFFICER'],
    ['judge', 'JUDGE'],
  ])('maps the certificate role %s to %s', (role, expected) => {
    expect(approverRoleFromCertificate(role)).toBe(expected);
  });

  it('refuses an unknown certificate role', () => {
    expect(() => approverRoleFromCertificate('clerk')).toThrow('Certificate approver role "clerk" is not known.');
  });

  it('treats an investigator and an approver with the same agency and id as one person', () => {
    expect(personKeyOfUri('evx://authority/police-hn/investigator/kim')).toBe('police-hn/kim');
    expect(personKeyOfUri('evx://authority/police-hn/approver/kim')).toBe(
      personKeyOf({ agency: 'police-hn', id: 'kim' }),
    );
    expect(personKeyOfUri('evx://authority/police-dn/approver/kim')).not.toBe('police-hn/kim');
    expect(personKeyOfUri('evx://provider/telco-a/adapter/main')).toBe('evx://provider/telco-a/adapter/main');
  });
});
