import type { ServiceStore } from '#evx/persistence';
import { EvidencePackageEntity, EvidenceRecordEntity } from './evidence-package.entities.js';
import { EvidenceSealEntity } from './evidence-seal.entity.js';
import { CheckpointEntity, LogEntryEntity, LogHeadEntity, LogNodeEntity } from './log.entities.js';
import { VaultLog1764100000000 } from './migrations/1764100000000-vault-log.js';
import { VaultLogKeys1764200000000 } from './migrations/1764200000000-vault-log-keys.js';
import { VaultEvidenceSeal1764300000000 } from './migrations/1764300000000-vault-evidence-seal.js';
import { VaultEvidencePackages1764400000000 } from './migrations/1764400000000-vault-evidence-packages.js';
import { VaultRecordInlinePayload1764600000000 } from './migrations/1764600000000-vault-record-inline-payload.js';

/** The vault's own tables. Migrations are committed and never edited; add a new one for every change. */
export const VAULT_STORE: ServiceStore = {
  service: 'vault',
  entities: [
    LogEntryEntity,
    LogNodeEntity,
    CheckpointEntity,
    LogHeadEntity,
    EvidenceSealEntity,
    EvidencePackageEntity,
    EvidenceRecordEntity,
  ],
  migrations: [
    VaultLog1764100000000,
    VaultLogKeys1764200000000,
    VaultEvidenceSeal1764300000000,
    VaultEvidencePackages1764400000000,
    VaultRecordInlinePayload1764600000000,
  ],
};
