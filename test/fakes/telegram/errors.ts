/** A Bot API error the fake answers with ({ok:false, error_code, description, parameters?}). */
export class ApiFailure extends Error {
  readonly code: number;
  readonly description: string;
  readonly parameters: Record<string, unknown> | undefined;

  constructor(code: number, description: string, parameters?: Record<string, unknown>) {
    super(description);
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}

/** 400 Bad Request with Telegram's wording. */
export function badRequest(what: string): ApiFailure {
  return new ApiFailure(400, `Bad Request: ${what}`);
}
