import { Logger } from '@nestjs/common';
import { TaskStream, adapterCredentials, devAdapterTlsFiles } from '#evx/adapter-sdk';
import type { RunningService } from '#evx/transport';
import type { MockAdapterConfig } from './mock-adapter.config.js';

/**
 * A reference adapter: keeps a task stream open to provider-edge with its provider certificate and reports what
 * arrives. Resolves once the stream has caught up, i.e. the adapter is connected and authorised.
 */
export async function startMockAdapter(name: string, config: MockAdapterConfig): Promise<RunningService> {
  const logger = new Logger(name);
  const credentials = adapterCredentials(devAdapterTlsFiles(config.certsDir, config.identity));
  let stream: TaskStream | undefined;
  await new Promise<void>((resolve, reject) => {
    stream = new TaskStream(
      { address: config.providerEdgeAddress, credentials },
      {
        onEvent: (event) => {
          if (event.task)
            logger.log(`task ${event.task.taskId} (generation ${event.task.generation}): ${event.task.status}`);
          if (event.notification) logger.log(`notification for task ${event.notification.taskId}`);
        },
        onCaughtUp: () => resolve(),
        onDisconnect: (error, retryInMs) => {
          if (retryInMs === null) reject(new Error(`provider-edge refused ${config.identity}: ${error.details}`));
          else logger.warn(`task stream lost (${error.details}); reconnecting in ${retryInMs} ms`);
        },
      },
    ).start();
  });
  return {
    name,
    connectedTo: `provider-edge ${config.providerEdgeAddress} as ${config.identity}`,
    close: async () => stream?.close(),
  };
}
