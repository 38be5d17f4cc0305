import type { CliCommand } from '../command.ts';
import { auditCheckpoint } from './audit-checkpoint.ts';
import { auditVerify } from './audit-verify.ts';
import { auditVerifyExport } from './audit-verify-export.ts';
import { importEnrolmentsCommand } from './import.ts';
import { keysRewrap } from './keys-rewrap.ts';
import { officesCreate } from './offices-create.ts';
import { officesList } from './offices-list.ts';
import { rebuild } from './rebuild.ts';
import { usersCreate } from './users-create.ts';
import { usersErase } from './users-erase.ts';
import { usersList } from './users-list.ts';
import { usersShow } from './users-show.ts';

/** Every command of `second-factor`, in the order the usage lists them. One line per command. */
export const commands: CliCommand[] = [
  officesCreate,
  officesList,
  usersCreate,
  usersList,
  usersShow,
  usersErase,
  importEnrolmentsCommand,
  keysRewrap,
  auditVerify,
  auditCheckpoint,
  auditVerifyExport,
  rebuild,
];
