import { generateSync } from 'otplib';

const stepSeconds = 30;

/** The code an authenticator app shows `stepOffset` steps from now. */
export const codeAt = (secret: string, stepOffset = 0, now = Date.now()): string =>
  generateSync({ secret, epoch: Math.floor(now / 1000) + stepOffset * stepSeconds });

/**
 * Waits until a fresh 30 s step has at least `seconds` left, so a test that uses the codes of the
 * previous, current and next step is not caught by a step boundary halfway.
 */
export const waitForStepWithAtLeast = async (seconds: number): Promise<void> => {
  const intoStep = (Date.now() / 1000) % stepSeconds;
  if (stepSeconds - intoStep >= seconds) return;
  await new Promise((resolve) => setTimeout(resolve, (stepSeconds - intoStep) * 1000 + 50));
};
