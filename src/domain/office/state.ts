export type OfficeState =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      officeId: string;
      name: string;
      twoFactorRequired: boolean;
      enforceFrom: string | null;
    };

export const initialOfficeState = (): OfficeState => ({ status: 'unregistered' });
