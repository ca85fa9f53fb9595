/**
 * The fixtures a workload may ask the harness for (its descriptor's `fixture`), and what a report
 * says about each under its workload. execute/fixtures/ starts them; both are keyed by these names,
 * so a fixture without a note or without an implementation does not compile.
 */
export const FIXTURE_NAMES = ['http-delay'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export const FIXTURE_NOTES: Record<FixtureName, string> = {
  'http-delay':
    "The server is the harness's own (Node `http` on 127.0.0.1, in a worker thread): it waits `delay_ms` and answers with `body_bytes` bytes, " +
    'keeping HTTP/1.1 connections alive. Every run is checked against it: requests served = requests made, and every body arrived whole. ' +
    '`async` is a client on `asyncio.open_connection`, one request per connection (`Connection: close`); the other modes use `urllib.request.urlopen`.',
};
