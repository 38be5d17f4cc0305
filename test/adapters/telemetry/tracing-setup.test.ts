import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { InMemorySpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { startTracing, tracesUrl } from '../../../src/adapters/telemetry/tracing.ts';
import { ConfigError, loadConfig } from '../../../src/config/config.ts';

const counting = () => {
  const urls: string[] = [];
  const exporter = new InMemorySpanExporter();
  const make = (url: string): SpanExporter => {
    urls.push(url);
    return exporter;
  };
  return { urls, exporter, make };
};

/** The OpenTelemetry packages a fresh process imports while it starts tracing with these settings. */
const packagesLoadedByStart = (settings: Record<string, string>): string[] => {
  const script = `
    import { registerHooks } from 'node:module';
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) { seen.add(specifier); return next(specifier, context); } });
    const { startTracing } = await import(${JSON.stringify(join(import.meta.dirname, '../../../src/adapters/telemetry/tracing.ts'))});
    const tracing = await startTracing(${JSON.stringify({ OTEL_SERVICE_NAME: 'sf-test', ...settings })}, () => {});
    await tracing?.shutdown();
    console.log(JSON.stringify([...seen].filter((specifier) => specifier.startsWith('@opentelemetry/'))));
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
};

describe('tracing setup', () => {
  it('loads no OpenTelemetry SDK or exporter unless an endpoint is configured, as a service starts', () => {
    const off = packagesLoadedByStart({});
    expect(off).not.toContain('@opentelemetry/exporter-trace-otlp-http');
    expect(off).not.toContain('@opentelemetry/sdk-trace');
    const on = packagesLoadedByStart({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' });
    expect(on).toContain('@opentelemetry/exporter-trace-otlp-http');
    expect(on).toContain('@opentelemetry/sdk-trace');
  });

  it('creates no exporter and returns null when no OTLP endpoint is configured', async () => {
    const factory = counting();
    const config = loadConfig({});
    expect(config.OTEL_SERVICE_NAME).toBe('second-factor');
    expect(await startTracing(config, () => {}, factory.make)).toBeNull();
    expect(factory.urls).toEqual([]);
  });

  it('exports to <endpoint>/v1/traces, or to the traces endpoint when that is set', () => {
    expect(tracesUrl(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }))).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesUrl(
        loadConfig({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp/v1/traces',
        }),
      ),
    ).toBe('https://traces.example/otlp/v1/traces');
  });

  it('creates one exporter, names the service, exports on flush', async () => {
    const factory = counting();
    const tracing = await startTracing(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'sf-test' }),
      () => {},
      factory.make,
    );
    expect(factory.urls).toEqual(['http://127.0.0.1:4318/v1/traces']);
    tracing?.tracer.startSpan('one').end();
    expect(factory.exporter.getFinishedSpans()).toEqual([]);
    await tracing?.forceFlush();
    const [span] = factory.exporter.getFinishedSpans();
    expect(span?.name).toBe('one');
    expect(span?.resource.attributes['service.name']).toBe('sf-test');
    await tracing?.shutdown();
  });

  it('rejects an endpoint that is not an http(s) URL, without echoing it', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://user:pw@collector:4317' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: expected a valid URL (value hidden)',
      ]);
    }
  });
});
