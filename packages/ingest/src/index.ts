export {
  type EmployerResolver,
  type FieldError,
  fieldErrors,
  type IngestOptions,
  type IngestReport,
  importTrainees,
  importVacancies,
  type RejectedRow,
  validateVacancy,
  workerFeesError,
} from './ingest.ts';
export { BulkFileError, type BulkFormat } from './records.ts';
