import { IsString } from 'class-validator';
import { CommonConfig, IsPort } from './common.config.js';
import { ConfigError, FromEnv, loadConfig } from './config.loader.js';

class SampleConfig extends CommonConfig {
  @FromEnv('SAMPLE_PORT')
  @IsPort()
  port: number = 5000;

  @FromEnv('SAMPLE_NAME')
  @IsString()
  name: string = 'sample';
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults when the environment is silent', () => {
    const sut = loadConfig(SampleConfig, {});
    expect(sut).toBeInstanceOf(SampleConfig);
    expect(sut.port).toBe(5000);
    expect(sut.certsDir).toBe('certs-dev/out');
    expect(sut.databaseUrl).toBeUndefined();
  });

  it('converts and validates values from the environment', () => {
    const sut = loadConfig(SampleConfig, {
      SAMPLE_PORT: '6001',
      DATABASE_URL: 'postgres://u@h:5432/db',
      EVX_LOG_LEVEL: 'debug',
    });
    expect(sut.port).toBe(6001);
    expect(sut.databaseUrl).toBe('postgres://u@h:5432/db');
    expect(sut.logLevel).toBe('debug');
  });

  it('refuses a non-numeric port and names the variable', () => {
    const problems = problemsOf(() => loadConfig(SampleConfig, { SAMPLE_PORT: 'abc' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SAMPLE_PORT');
    expect(problems[0]).toContain('"abc"');
    expect(problems[0]).toContain('integer port number');
  });

  it('refuses an out-of-range port', () => {
    const [problem] = problemsOf(() => loadConfig(SampleConfig, { SAMPLE_PORT: '70000' }));
    expect(problem).toMatch(/SAMPLE_PORT .*from 1 to 65535/);
  });

  it('refuses a database URL that is not PostgreSQL and a wrong log level, reporting both', () => {
    const problems = problemsOf(() => loadConfig(SampleConfig, { DATABASE_URL: 'mysql://x', EVX_LOG_LEVEL: 'loud' }));
    expect(problems.some((p) => p.startsWith('DATABASE_URL') && p.includes('postgres://'))).toBe(true);
    expect(problems.some((p) => p.startsWith('EVX_LOG_LEVEL'))).toBe(true);
  });

  it('lets overrides win over the environment', () => {
    expect(loadConfig(SampleConfig, { SAMPLE_PORT: '6001' }, { port: 7002 }).port).toBe(7002);
  });
});
