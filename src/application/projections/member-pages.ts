import type { MemberView, Page } from '../ports/read-models.ts';
import type { UserDocument } from './documents.ts';

export const memberView = (user: UserDocument): MemberView => ({
  userId: user.userId,
  username: user.username,
  role: user.role,
  twoFactor: user.twoFactor,
  enrolledAt: user.enrolledAt,
  lastSecondFactorAt: user.lastSecondFactorAt ?? null,
});

const userIdOf = (memberKey: string): string => memberKey.slice(memberKey.indexOf('\u0000') + 1);

/** One page of members from the office's sorted member keys; the cursor is the last key, base64url. */
export const pageOfMembers = async (
  sortedKeys: string[],
  page: { after: string | null; limit: number },
  loadUsers: (userIds: string[]) => Promise<(MemberView | null)[]>,
): Promise<Page<MemberView>> => {
  const after = page.after === null ? null : Buffer.from(page.after, 'base64url').toString('utf8');
  const start = after === null ? 0 : sortedKeys.findIndex((key) => key > after);
  const slice = start < 0 ? [] : sortedKeys.slice(start, start + page.limit + 1);
  return membersPage(slice, page.limit, loadUsers);
};

/** Builds a page from up to `limit + 1` keys (the extra one only says whether there is a next page). */
export const membersPage = async (
  keys: string[],
  limit: number,
  loadUsers: (userIds: string[]) => Promise<(MemberView | null)[]>,
): Promise<Page<MemberView>> => {
  const shown = keys.slice(0, limit);
  const users = await loadUsers(shown.map(userIdOf));
  const last = shown.at(-1);
  return {
    items: users.filter((user): user is MemberView => user !== null),
    next: keys.length > limit && last !== undefined ? Buffer.from(last, 'utf8').toString('base64url') : null,
  };
};
