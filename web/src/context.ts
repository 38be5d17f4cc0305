import type { SessionUser } from './api.ts';

/** What every page gets: who is signed in and a way to move on. */
export type PageContext = {
  user: SessionUser | null;
  navigate: (path: string) => void;
  /** Focus the first heading of freshly shown content (steps inside a page). */
  focus: (element: HTMLElement) => void;
};

export type Page = (context: PageContext) => Node | Promise<Node>;
