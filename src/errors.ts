// One located diagnostic flows through the whole tool (policy files, SQL decoding, migration
// names, deploy sources): the CLI prints it compiler-style, the Action turns it into an annotation.

export class Diagnostic extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
    this.name = 'Diagnostic';
  }

  /** `policies/roles.yaml:7:11: message` — line and column are 1-based; 0 means "the whole file". */
  format(): string {
    const where = this.line > 0 ? `${this.file}:${this.line}:${this.column}` : this.file;
    return `${where}: ${this.message}`;
  }
}

/** Bad input: the user must fix a file, a flag or an environment variable. Exit code 2. */
export class InputError extends Error {
  readonly errors: readonly Diagnostic[];
  constructor(errors: readonly Diagnostic[] | string) {
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
