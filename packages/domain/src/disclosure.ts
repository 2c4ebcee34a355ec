import { createHash } from 'node:crypto';

// What the employer side may learn about a trainee before consent (the contract's pseudonymised profile): a
// stable pseudonym and an age band instead of names, email and date of birth. Shared by the API's views and the
// notifications, so an email, a webhook and a GET show the same person the same way.

/** Stable per trainee, reveals nothing beyond the opaque trainee id. */
export const pseudonymOf = (traineeId: string): string =>
  `Candidate ${createHash('sha256').update(`corridor:pseudonym:${traineeId}`).digest('hex').slice(0, 8).toUpperCase()}`;

/** Five-year bands from 20; whole years on `on` (the vacancy's start date where there is one). */
export function ageBand(dateOfBirth: string | null, on: string): string | null {
  if (!dateOfBirth) return null;
  let age = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  if (on.slice(5) < dateOfBirth.slice(5)) age--;
  if (age < 20) return 'under 20';
  if (age >= 60) return '60 and over';
  const low = Math.floor(age / 5) * 5;
  return `${low}–${low + 4}`;
}

/** The identity fields a release hands over; recorded, by name, in the disclosure audit trail. */
export const RELEASED_IDENTITY_FIELDS = ['givenName', 'familyName', 'email', 'dateOfBirth'] as const;
