import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export const fieldErrors = (error: z.ZodError): FieldError[] =>
  error.issues.map((i) => ({ path: i.path.join('.') || '(row)', message: i.message }));
