/**
 * Masks secrets wherever the CLI shows text. Credential values are registered as soon as they
 * are resolved, so an error message that happens to echo one (a URL, a provider's error body)
 * is redacted before it reaches a terminal or a log.
 */
// On globalThis: one registry even if a harness loads this module twice.
const SLOT = Symbol.for('spec-kitty.tracker.registeredSecrets');
const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
const registered: Set<string> = (holder[SLOT] ??= new Set<string>());

/** Shortest value worth redacting: shorter strings would mangle ordinary words. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | null | undefined): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) registered.add(value);
}

/** Every secret registered in this process (the write-path guard checks files against them). */
export function registeredSecrets(): readonly string[] {
  return [...registered];
}

/** A display form that proves a value is set without revealing it: `****` plus at most 4 last chars. */
export function maskSecret(value: string): string {
  if (value.length < 12) return '****';
  return `****${value.slice(-4)}`;
}

/** `text` with every registered secret replaced by its masked form. */
export function redactSecrets(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...registered].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(maskSecret(secret));
  }
  return out;
}

/** For tests: forget registered secrets. */
export function clearRegisteredSecrets(): void {
  registered.clear();
}
