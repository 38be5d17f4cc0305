import type { ApplicationDeps } from '../../dependencies.ts';
import type { OpenedSession } from '../../open-session.ts';
import { passwordStep } from './password-step.ts';
import { type RequestContext, secondFactorStep } from './second-factor-step.ts';

export type LoginInput = { username: string; password: string; code?: string };

export type LoginResult =
  | {
      status: 'authenticated';
      session: OpenedSession;
      enrollmentDeadline: string | null;
      reenrollmentDeadline: string | null;
    }
  /** `reenrollmentDeadline` only while a campaign asks this user for a new authenticator. */
  | { status: 'second-factor-required'; challenge: string; reenrollmentDeadline?: string }
  | { status: 'enrollment-required'; challenge: string };

/** `POST /v1/login`: the password, and the code too when the form sent one. */
export const login = (deps: Parameters<typeof passwordStep>[0] & Parameters<typeof secondFactorStep>[0]) => {
  const checkPassword = passwordStep(deps);
  const checkCode = secondFactorStep(deps);
  return async (input: LoginInput, request: RequestContext): Promise<LoginResult> => {
    const first = await checkPassword(input);
    if (first.status === 'second-factor-required' && input.code !== undefined && input.code !== '') {
      const second = await checkCode({ challenge: first.challenge, code: input.code }, request);
      return second.status === 'authenticated' ? { ...second, enrollmentDeadline: null } : second;
    }
    if (first.status === 'authenticated') return { ...first, reenrollmentDeadline: null };
    if (first.status === 'second-factor-required')
      return {
        status: first.status,
        challenge: first.challenge,
        ...(first.reenrollmentDeadline === null ? {} : { reenrollmentDeadline: first.reenrollmentDeadline }),
      };
    return { status: first.status, challenge: first.challenge };
  };
};

export type LoginDeps = Parameters<typeof login>[0] & Pick<ApplicationDeps, 'settings'>;
