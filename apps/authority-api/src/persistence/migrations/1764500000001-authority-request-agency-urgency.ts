import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * SubmitRequest counts the agency's open emergency orders (RequestRepository.emergenciesOf: agency and urgency).
 * With only the (agency, status, created_at) index that read every order of the agency, drafts included, on every
 * submission: ≈ 1 ms at 2,000 orders on SQLite, and the largest share of authority-api's CPU in the submit
 * benchmark once certificate parsing was cached (docs/performance.md, figure 3).
 */
export class AuthorityRequestAgencyUrgency1764500000001 implements MigrationInterface {
  name = 'AuthorityRequestAgencyUrgency1764500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'authority_request',
      new TableIndex({ name: 'authority_request_agency_urgency', columnNames: ['agency', 'urgency'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('authority_request', 'authority_request_agency_urgency');
  }
}
