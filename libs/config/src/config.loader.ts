import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

const ENV_NAMES = Symbol('evx:env-names');

type EnvNames = Map<string, string>;

/** Binds a config property to an environment variable. Defaults are the property initialisers. */
export function FromEnv(name: string): PropertyDecorator {
  return (target, property) => {
    const ctor = target.constructor as { [ENV_NAMES]?: EnvNames };
    const own = Object.prototype.hasOwnProperty.call(ctor, ENV_NAMES) ? ctor[ENV_NAMES] : undefined;
    const names: EnvNames = own ?? new Map(ctor[ENV_NAMES] ?? []);
    names.set(String(property), name);
    ctor[ENV_NAMES] = names;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Builds and validates one app's config class from the environment (or an override object in tests).
 * A wrong value stops start-up with a message that names the setting and what it must be.
 * Declare each property's type explicitly (`port: number = 50051`): conversion follows the reflected type, and an
 * inferred type is not reflected when files are transpiled one at a time (as ts-jest does).
 */
export function loadConfig<T extends object>(cls: new () => T, env: Env, overrides: Partial<T> = {}): T {
  const names = (cls as unknown as { [ENV_NAMES]?: EnvNames })[ENV_NAMES] ?? new Map<string, string>();
  const defaults = new cls() as Record<string, unknown>;
  const plain: Record<string, unknown> = { ...defaults };
  for (const [property, envName] of names) {
    const raw = env[envName];
    if (raw !== undefined && raw !== '') plain[property] = raw;
  }
  Object.assign(plain, overrides);
  const config = plainToInstance(cls, plain, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.flatMap((e) => describe(e, names, plain)));
  }
  return config;
}

function describe(error: ValidationError, names: EnvNames, plain: Record<string, unknown>): string[] {
  const envName = names.get(error.property);
  const setting = envName ? `${envName} (${error.property})` : error.property;
  const shown = JSON.stringify(plain[error.property]);
  const rules = Object.values(error.constraints ?? {});
  const nested = (error.children ?? []).flatMap((c) => describe(c, names, plain));
  return rules.length > 0 ? [`${setting} = ${shown}: ${rules.join('; ')}`, ...nested] : nested;
}
