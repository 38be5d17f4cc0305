import type { ApplicationDeps } from '../../dependencies.ts';
import type { OpenedSession } from '../../open-session.ts';
import type { IssuedBrowserTrust } from '../../trusted-browsers/new-browser-trust.ts';
import { skipCodeWithTrustedBrowser } from '../../trusted-browsers/skip-code.ts';
import { passwordStep } from './password-step.ts';
import { type RequestContext, secondFactorStep } from './second-factor-step.ts';

export type LoginInput = {
  username: string;
  password: string;
  code?: string;
  /** With the code: "trust this browser". */
  trustBrowser?: boolean;
  /** The device token the browser holds from an earlier trust (its cookie), if any. */
  deviceToken?: string;
};

export type LoginResult =
  | {
      status: 'authenticated';
      session: OpenedSession;
      enrollmentDeadline: string | null;
      trustedBrowser?: IssuedBrowserTrust;
      /** The code was skipped: the browser is trusted (`TrustedBrowserUsed`). */
      viaTrustedBrowser?: boolean;
      reenrollmentDeadline: string | null;
    }
  /** `reenrollmentDeadline` only while a campaign asks this user for a new authenticator. */
  | {
      status: 'second-factor-required';
      challenge: string;
      trustBrowserDays: number;
      reenrollmentDeadline?: string;
    }
  | { status: 'enrollment-required'; challenge: string };

/** `POST /v1/login`: the password, then a trusted browser's device token or the code, when there is one. */
export const login = (
  deps: Parameters<typeof passwordStep>[0] &
    Parameters<typeof secondFactorStep>[0] &
    Parameters<typeof skipCodeWithTrustedBrowser>[0],
) => {
  const checkPassword = passwordStep(deps);
  const checkCode = secondFactorStep(deps);
  const skipCode = skipCodeWithTrustedBrowser(deps);
  return async (input: LoginInput, request: RequestContext): Promise<LoginResult> => {
    const first = await checkPassword(input);
    if (first.status === 'second-factor-required' && input.deviceToken) {
      const session = await skipCode(first.userId, input.deviceToken, first.challenge, request);
      if (session !== null)
        return {
          status: 'authenticated',
          session,
          enrollmentDeadline: null,
          viaTrustedBrowser: true,
          reenrollmentDeadline: first.reenrollmentDeadline,
        };
    }
    if (first.status === 'second-factor-required' && input.code !== undefined && input.code !== '') {
      const second = await checkCode(
        { challenge: first.challenge, code: input.code, trustBrowser: input.trustBrowser === true },
        request,
      );
      return second.status === 'authenticated' ? { ...second, enrollmentDeadline: null } : second;
    }
    if (first.status === 'authenticated') return { ...first, reenrollmentDeadline: null };
    if (first.status === 'second-factor-required')
      return {
        status: first.status,
        challenge: first.challenge,
        trustBrowserDays: first.trustBrowserDays,
        ...(first.reenrollmentDeadline === null ? {} : { reenrollmentDeadline: first.reenrollmentDeadline }),
      };
    return { status: first.status, challenge: first.challenge };
  };
};

export type LoginDeps = Parameters<typeof login>[0] & Pick<ApplicationDeps, 'settings'>;
