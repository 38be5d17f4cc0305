/** The time, through a port so that tests and deciders see a fixed one. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}
