import { isSealed, type PersonalText } from '../domain/shared/personal-data.ts';
import type { PersonalDataVault } from './ports/personal-data-vault.ts';

/**
 * A personal field in the clear: opened with its person's data key, as it is when written before
 * sealing, or null once the person was erased.
 */
export const openPersonalText = async (
  vault: PersonalDataVault,
  subjectId: string,
  value: PersonalText,
  associatedData: string,
): Promise<string | null> => (isSealed(value) ? vault.open(subjectId, value, associatedData) : value);
