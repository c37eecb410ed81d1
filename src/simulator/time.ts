// The timestamp forms the real services use, which differ by field (see api-samples):
// Nova `created`/`updated`, Glance dates and Keystone `expires` carry a zone and whole seconds
// ("2020-02-25T01:22:24Z"); Nova `launched_at`, keypair and Cinder dates and Keystone `issued_at`
// have microseconds and no zone ("2020-02-25T01:22:23.000000").

/** "2020-02-25T01:22:24Z" */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** "2020-02-25T01:22:23.000000" (the clock has milliseconds; the last three digits are zero). */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23) + '000';
}
