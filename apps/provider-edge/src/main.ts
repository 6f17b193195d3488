import 'reflect-metadata';
import { loadConfig } from '#evx/config';
import { runMain } from '#evx/transport';
import { startProviderEdge } from './provider-edge.app.js';
import { ProviderEdgeConfig } from './provider-edge.config.js';

void runMain('provider-edge', () => startProviderEdge(loadConfig(ProviderEdgeConfig, process.env)));
