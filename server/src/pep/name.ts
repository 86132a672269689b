// PEP 503 name normalization and the PEP 508 name rule, as packaging.utils implements them.

const VALID_NAME = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

/**
 * `packaging.utils.canonicalize_name`: lower-cases the name and turns every run of `-`, `_` and `.`
 * into one `-` (`Oslo.Concurrency` -> `oslo-concurrency`). Does not validate.
 */
export function canonicalizeName(name: string): string {
  let value = name.toLowerCase();
  if (value.includes('_')) value = value.replaceAll('_', '-');
  if (value.includes('.')) value = value.replaceAll('.', '-');
  while (value.includes('--')) value = value.replaceAll('--', '-');
  return value;
}

/**
 * Whether `name` is a valid PEP 508 / core-metadata distribution name (ASCII letters, digits, `._-`, alphanumeric at
 * both ends).
 */
export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** Whether `name` is already in canonical form (`packaging.utils.is_normalized_name`). */
export function isNormalizedName(name: string): boolean {
  return /^(?:[a-z0-9]|[a-z0-9](?:[a-z0-9-](?!--))*[a-z0-9])$/.test(name);
}
