import type { EncryptedSecret } from '../../domain/shared/encrypted-secret.ts';
import { defaultTotpParameters } from '../../domain/user-security/totp-parameters.ts';
import type { OfficePolicyView, UserLoginView } from '../ports/read-models.ts';

/** The stored user document: the login view plus the secret of an enrolment not yet confirmed. */
export type UserDocument = UserLoginView & {
  pending: { enrollmentId: string; secret: EncryptedSecret } | null;
};

export type OfficeDocument = OfficePolicyView;

/** Documents projected before imports carry no parameters: theirs are the default ones. */
export const toLoginView = ({ pending: _pending, ...view }: UserDocument): UserLoginView => ({
  ...view,
  totpParameters: view.twoFactor === 'enrolled' ? (view.totpParameters ?? defaultTotpParameters) : null,
});

/** Members are listed by username; the key sorts that way byte by byte and stays unique. */
export const memberKey = (username: string, userId: string): string => `${username}\u0000${userId}`;

/**
 * The shape of what the projection writes. A set built by another version is rebuilt from the events
 * rather than served half-filled: 2 added the re-enrolment campaign to offices, the last second factor
 * to users and the index of offices.
 */
export const projectionVersion = 2;
