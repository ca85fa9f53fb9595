/**
 * The event-loop frameworks beyond the standard library that some modes measure (the lecture's
 * 5.4.1: Twisted, gevent, Tornado, and uvloop and trio after them). An interpreter says which it
 * can import (the probe asks it); a mode whose framework is missing is skipped, with how to get it.
 */
export const FRAMEWORKS = {
  uvloop: 'pip install uvloop (Debian: apt-get install python3-uvloop)',
  gevent: 'pip install gevent (Debian: apt-get install python3-gevent)',
  tornado: 'pip install tornado (Debian: apt-get install python3-tornado)',
  twisted: 'pip install twisted (Debian: apt-get install python3-twisted)',
  trio: 'pip install trio (Debian: apt-get install python3-trio)',
} as const;
export type Framework = keyof typeof FRAMEWORKS;
export const FRAMEWORK_NAMES = Object.keys(FRAMEWORKS) as Framework[];

/** Whether an interpreter can import a framework: its probe found a version of it. */
export function importsFramework(interpreter: { frameworks?: Record<string, string> }, framework: Framework): boolean {
  return interpreter.frameworks?.[framework] !== undefined;
}
