// Waiting for a producer to stop, for the back-pressure tests: they count bytes, never time.

/**
 * Resolves with `count()` once it has stayed the same for `quietPolls` polls in a row: a
 * producer that has stopped has then had every chance to run ahead of its reader. It sets no
 * deadline of its own (the test's timeout is the only one) and says nothing about time: on a
 * slow or busy machine it only waits longer. A runaway producer keeps the count moving until
 * its source runs out, so the tests give it a finite source.
 */
export async function untilSettled(count: () => number, { pollMs = 10, quietPolls = 10 } = {}): Promise<number> {
  let last = count();
  for (let quiet = 0; quiet < quietPolls;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const now = count();
    if (now === last) quiet++;
    else {
      last = now;
      quiet = 0;
    }
  }
  return last;
}
