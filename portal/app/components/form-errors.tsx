export interface FormError {
  field: string | null;
  message: string;
  code: string;
}

/** The API reports `field` as a path such as ["input", "subject"]; the form only needs the last step. */
export function toFormErrors(userErrors: readonly { field: readonly string[] | null; message: string; code: string }[]): FormError[] {
  return userErrors.map((error) => ({ field: error.field?.at(-1) ?? null, message: error.message, code: error.code }));
}

/** Fields with an error point here with aria-describedby. */
const FORM_ERRORS_ID = 'form-errors';

/** The summary at the top of a form, announced when it appears. Messages are the API's own, verbatim. */
export function FormErrorSummary({ errors }: { errors: readonly FormError[] | undefined }) {
  if (!errors || errors.length === 0) return null;
  return (
    <div role="alert" id={FORM_ERRORS_ID} className="alert alert--error">
      {errors.length === 1 ? (
        <p>{errors[0]!.message}</p>
      ) : (
        <ul>
          {errors.map((error) => (
            <li key={`${error.field}:${error.message}`}>{error.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Accessibility attributes for a field the summary mentions. */
export function fieldErrorProps(errors: readonly FormError[] | undefined, field: string, describedBy?: string) {
  const invalid = errors?.some((error) => error.field === field) ?? false;
  const ids = [invalid ? FORM_ERRORS_ID : null, describedBy ?? null].filter(Boolean).join(' ');
  return { 'aria-invalid': invalid || undefined, 'aria-describedby': ids || undefined };
}
