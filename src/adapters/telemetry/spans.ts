import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

/**
 * Marks a span failed with the error's class name only: messages can carry user input (usernames,
 * codes), so neither the message nor the stack goes into the trace.
 */
export const recordFailure = (span: Span, error: unknown): void => {
  const type = error instanceof Error ? error.name : typeof error;
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
};

export type SpanOptions = {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Start the span only inside a trace (a request, a use case): no lone root spans from background work. */
  childOnly?: boolean;
};

/** Runs `work` inside an active span that ends when it settles; a failure is recorded, then rethrown. */
export const inSpan = async <T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> => {
  if (options.childOnly === true && trace.getSpan(context.active()) === undefined) return work(nonRecording);
  return tracer.startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
};

const nonRecording = trace.wrapSpanContext({
  traceId: '0'.repeat(32),
  spanId: '0'.repeat(16),
  traceFlags: 0,
});
