import 'reflect-metadata';
import { loadConfig } from '#evx/config';
import { runMain } from '#evx/transport';
import { startVault } from './vault.app.js';
import { VaultConfig } from './vault.config.js';

void runMain('vault', () => startVault(loadConfig(VaultConfig, process.env)));
