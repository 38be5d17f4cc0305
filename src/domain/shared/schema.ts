import { z } from 'zod';

export const isoInstant = z.iso.datetime({ offset: false });
export const entityId = z.string().min(1).max(100);
