export type ProgressLine = { update(done: number, total: number): void; finish(message: string): void };

const formatSeconds = (seconds: number): string =>
  Number.isFinite(seconds)
    ? seconds < 60
      ? `${Math.ceil(seconds)}s`
      : `${Math.floor(seconds / 60)}m${Math.ceil(seconds % 60)}s`
    : '?';

/**
 * A progress bar with rate and ETA on a terminal; on anything else (CI, a log file) a plain line at
 * most every two seconds.
 */
export const progressLine = (
  label: string,
  out: NodeJS.WriteStream = process.stderr,
  unit = 'events',
): ProgressLine => {
  const started = Date.now();
  let lastPlain = 0;
  const describe = (done: number, total: number) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const fraction = total > 0 ? Math.min(done / total, 1) : 1;
    const eta = rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
    return {
      fraction,
      text: `${done.toLocaleString('en')}/${total.toLocaleString('en')} ${unit}, ${Math.round(rate).toLocaleString('en')}/s, ETA ${formatSeconds(eta)}`,
    };
  };
  return {
    update(done, total) {
      const { fraction, text } = describe(done, total);
      if (out.isTTY) {
        const width = 30;
        const filled = Math.round(fraction * width);
        out.write(
          `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${text}`,
        );
      } else if (Date.now() - lastPlain >= 2_000 || fraction === 1) {
        lastPlain = Date.now();
        out.write(`${label}: ${Math.floor(fraction * 100)}% ${text}\n`);
      }
    },
    finish(message) {
      out.write(
        `${out.isTTY ? '\n' : ''}${label}: ${message} in ${formatSeconds((Date.now() - started) / 1000)}\n`,
      );
    },
  };
};
