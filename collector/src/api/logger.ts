// The logging the API needs; pino's Logger satisfies it. Passed in, never created here.
export interface ApiLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
