/** Exit codes are a contract (DESIGN §1). */
export const ExitCode = {
  ok: 0,
  stepFailed: 1,
  usage: 2,
  aborted: 3,
  precondition: 4,
  humanWaiting: 10,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Every error the CLI turns into output and an exit code. */
export class VrError extends Error {
  readonly exitCode: ExitCode;
  readonly nextSteps: readonly string[];
  constructor(message: string, exitCode: ExitCode, nextSteps: readonly string[] = []) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.nextSteps = nextSteps;
  }
}

export class UsageError extends VrError {
  constructor(message: string, nextSteps: readonly string[] = []) {
    super(message, ExitCode.usage, nextSteps);
  }
}

export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  /** A warning is shown by `lint` but does not stop a runbook from loading. */
  readonly severity?: 'warning';
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col} ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

export class ValidationError extends VrError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'), ExitCode.usage);
    this.diagnostics = diagnostics;
  }
}

export class ExpressionError extends Error {
  /** Offset of the problem inside the expression source, when known. */
  readonly offset: number;
  constructor(message: string, offset = 0) {
    super(message);
    this.name = 'ExpressionError';
    this.offset = offset;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
