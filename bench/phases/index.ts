/**
 * Every phase of the bench, in the order they run within their stage ('service' phases first, while the
 * seeded service is up; then 'alone' phases). To add a phase: one file in this folder exporting a
 * `Phase` (see ../harness/phase.ts), and one line here.
 */
import type { Phase } from '../harness/phase.ts';
import { appends } from './appends.ts';
import { embeddedRestart } from './embedded-restart.ts';
import { embeddedStartup } from './embedded-startup.ts';
import { loginRequirements } from './login-requirements.ts';
import { longHistoryPhase } from './long-history.ts';
import { passwordLogins } from './password-logins.ts';
import { postgres } from './postgres.ts';
import { projectionLag } from './projection-lag.ts';
import { readAll } from './read-all.ts';
import { rebuild } from './rebuild.ts';
import { secondFactor } from './second-factor.ts';
import { serviceRss } from './service-rss.ts';

export const phases: readonly Phase[] = [
  loginRequirements,
  secondFactor,
  passwordLogins,
  serviceRss, // last of the service phases: its peak RSS covers the ones before
  embeddedStartup,
  embeddedRestart, // on the read models embeddedStartup built
  projectionLag,
  appends,
  readAll,
  rebuild, // its time cap is what is left of the run's budget
  longHistoryPhase, // after the rebuild, so that its own store and service do not shorten the rebuild's cap
  postgres, // after the rebuild too, for the same reason
];
