import 'reflect-metadata';
import { loadConfig } from '#evx/config';
import { runMain } from '#evx/transport';
import { startAuthorityApi } from './authority-api.app.js';
import { AuthorityApiConfig } from './authority-api.config.js';

void runMain('authority-api', () => startAuthorityApi(loadConfig(AuthorityApiConfig, process.env)));
