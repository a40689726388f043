/** Builds the seed scenario's repository in a temporary folder and returns its path. */
export function makeSeedRepo(): string;
