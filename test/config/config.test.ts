import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('gives the embedded defaults when the environment is empty', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      TOTP_ISSUER: 'second-factor',
      TOTP_WINDOW: 1,
      CORS_ORIGINS: [],
    });
    expect(config.EVENTSTORE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('reads numbers, URLs and lists from their text', () => {
    const config = loadConfig({
      PORT: '8080',
      REDIS_URL: 'redis://127.0.0.1:6379/3',
      EVENTSTORE_URL: 'esdb://localhost:2113?tls=false',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(config.PORT).toBe(8080);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379/3');
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('names the variable and what was expected when a value is bad', () => {
    const [problem] = problemsOf({ PORT: 'abc' });
    expect(problem).toMatch(/^PORT: expected a whole number/);
    expect(problem).toContain('"abc"');
  });

  it('refuses a TOTP window wider than one step either side', () => {
    expect(problemsOf({ TOTP_WINDOW: '2' })[0]).toMatch(/^TOTP_WINDOW/);
  });

  it('names a bad secret setting without echoing its value', () => {
    const [problem] = problemsOf({ PLATFORM_API_KEY: 'short-key' });
    expect(problem).toMatch(/^PLATFORM_API_KEY: expected at least 32 characters/);
    expect(problem).not.toContain('short-key');
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ PORT: '-1', LOG_LEVEL: 'loud', REDIS_URL: 'http://x' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
    ]);
  });
});
