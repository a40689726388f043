// One located error type flows through the whole tool: the CLI prints it as a compiler-style
// diagnostic, the Action turns it into an annotation on the file.

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
    this.name = 'PolicyError';
  }

  /** `policies/roles.yaml:7:11: message` — line and column are 1-based; 0 means "the whole file". */
  format(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}:${this.column}` : this.file;
    return `${where}: ${this.message}`;
  }
}

/** Bad input: the user must fix a file, a flag or an environment variable. Exit code 2. */
export class InputError extends Error {
  readonly errors: readonly PolicyError[];
  constructor(errors: readonly PolicyError[] | string) {
    const list = typeof errors === 'string' ? [] : errors;
    super(typeof errors === 'string' ? errors : list.map((e) => e.format()).join('\n'));
    this.errors = list;
    this.name = 'InputError';
  }
}

/** The policy says no, or a deploy failed. Exit code 1. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError) return 2;
  return 1;
}
