import { type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import { recordFailure } from './spans.ts';

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * Wraps every function of the use-case object in a span `use-case <name>`; what the ports do inside
 * nests under it. Arguments and results (commands with passwords and codes) are never recorded.
 */
export const tracedUseCases = <T extends object>(useCases: T, tracer: Tracer): T => {
  const traced: Record<string, unknown> = {};
  for (const [name, useCase] of Object.entries(useCases)) {
    if (typeof useCase !== 'function') {
      traced[name] = useCase;
      continue;
    }
    traced[name] = (...args: unknown[]) =>
      tracer.startActiveSpan(`use-case ${name}`, { kind: SpanKind.INTERNAL }, (span: Span) => {
        let result: unknown;
        try {
          result = (useCase as (...inner: unknown[]) => unknown)(...args);
        } catch (error) {
          recordFailure(span, error);
          span.end();
          throw error;
        }
        if (!isThenable(result)) {
          span.end();
          return result;
        }
        return Promise.resolve(result).then(
          (value) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            recordFailure(span, error);
            span.end();
            throw error;
          },
        );
      });
  }
  return traced as T;
};
