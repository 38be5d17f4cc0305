import type { Page } from '../context.ts';
import { h } from '../dom.ts';
import { type MessageKey, tx } from '../i18n.ts';
import { pageHeading } from '../ui.ts';

const section = (title: MessageKey, ...body: Node[]) => h('section', {}, h('h2', {}, tx(title)), ...body);
const para = (key: MessageKey) => h('p', {}, tx(key));

/** The help article the enrolment screen and the office page link to. */
export const helpPage: Page = () =>
  h(
    'article',
    {},
    pageHeading('help.title'),
    para('help.intro'),
    section(
      'help.setupTitle',
      h(
        'ol',
        {},
        (['help.setup1', 'help.setup2', 'help.setup3', 'help.setup4', 'help.setup5'] as const).map((key) =>
          h('li', {}, tx(key)),
        ),
      ),
    ),
    section('help.officeTitle', para('help.office')),
    section('help.loginTitle', para('help.login')),
    section('help.movingTitle', para('help.moving')),
    section('help.troubleTitle', para('help.trouble')),
    section('help.disableTitle', para('help.disable')),
    section('help.temporaryTitle', para('help.temporary')),
    section('help.freezeTitle', para('help.freeze')),
    section('help.fourEyesTitle', para('help.fourEyes')),
    section('help.trustTitle', para('help.trust')),
    section('help.complianceTitle', para('help.compliance')),
    section('help.reenrolTitle', para('help.reenrol')),
  );
