// The adapter the kit tests: a command started with the environment that tells it where provider-edge is (the
// kit's proxy) and which PKI to use. It can be restarted with extra environment, e.g. a test mode.
import type { AdapterProfile } from './adapter-profile.js';
import { startProcess, tail, type ManagedProcess } from './service-processes.js';

export class AdapterUnderTest {
  private process?: ManagedProcess;
  private starts = 0;

  constructor(
    private readonly profile: AdapterProfile,
    private readonly settings: {
      readonly providerEdge: string;
      readonly certsDir: string;
      readonly logDir: string;
      /** The adapter's own state (cursor), kept across restarts. */
      readonly dataDir: string;
    },
  ) {}

  /** The environment the adapter gets: the kit's settings win over the profile's. */
  environment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      EVX_DATA_DIR: this.settings.dataDir,
      ...this.profile.env,
      ...extra,
      PROVIDER_EDGE_ADDRESS: this.settings.providerEdge,
      EVX_CERTS_DIR: this.settings.certsDir,
    };
  }

  start(extra: Readonly<Record<string, string>> = {}): void {
    this.starts += 1;
    const name = this.starts === 1 ? this.profile.name : `${this.profile.name}.${this.starts}`;
    this.process = startProcess(name, this.profile.command, this.environment(extra), this.settings.logDir);
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = undefined;
  }

  async restart(extra: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.stop();
    this.start(extra);
  }

  /** What it printed since it was last started. */
  output(): string {
    return this.process?.output() ?? '';
  }

  get logFile(): string | undefined {
    return this.process?.logFile;
  }

  /** Resolves when the current process exits. */
  exited(): Promise<void> {
    const child = this.process?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Why it is not running, or undefined while it runs. */
  exitedReason(): string | undefined {
    const child = this.process?.child;
    if (!child) return 'the adapter is not started';
    if (child.exitCode === null && child.signalCode === null) return undefined;
    return `the adapter exited (${child.signalCode ?? `code ${child.exitCode}`}):\n${tail(this.output())}`;
  }
}
