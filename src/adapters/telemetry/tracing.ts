import { context, DiagLogLevel, diag, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export type TracingSettings = {
  /** Base OTLP/HTTP endpoint: traces go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  /** Full traces URL; wins over the base endpoint. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME: string;
};

export type Tracing = {
  tracer: Tracer;
  /** Exports what is buffered now. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops; spans started afterwards are dropped. */
  shutdown(): Promise<void>;
};

type Warn = (message: string) => void;

/** Where OTLP/HTTP traces go for these settings, or undefined when tracing is off. */
export const tracesUrl = (settings: TracingSettings): string | undefined => {
  if (settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined)
    return settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (settings.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return undefined;
  return `${settings.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
};

let contextManagerInstalled = false;

/** One AsyncLocalStorage context manager per process, so spans started in awaited calls nest. */
export const installContextManager = (): void => {
  if (contextManagerInstalled) return;
  contextManagerInstalled = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
};

/** The OTLP/HTTP exporter; loaded only when tracing is on (its modules cost ~70 ms and ~10 MB at start). */
const otlpExporter = async (url: string): Promise<SpanExporter> => {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter({ url });
};

/**
 * The tracer provider exporting OTLP/HTTP (JSON) in batches, or null — and nothing installed or even
 * loaded — when no endpoint is configured. `exporter` is for tests.
 */
export const startTracing = async (
  settings: TracingSettings,
  warn: Warn,
  exporter: (url: string) => SpanExporter | Promise<SpanExporter> = otlpExporter,
  batch: { scheduledDelayMillis?: number } = {},
): Promise<Tracing | null> => {
  const url = tracesUrl(settings);
  if (url === undefined) return null;
  const [{ BatchSpanProcessor, TracerProvider }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  installContextManager();
  // Export failures would otherwise vanish into OpenTelemetry's no-op diagnostics.
  diag.setLogger(
    {
      error: (message) => warn(`opentelemetry: ${message}`),
      warn: (message) => warn(`opentelemetry: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.OTEL_SERVICE_NAME }),
    spanProcessors: [new BatchSpanProcessor({ exporter: await exporter(url), ...batch })],
  });
  return {
    tracer: provider.getTracer('second-factor'),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
};
