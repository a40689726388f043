// Hands the report's annotations to the runner, which shows them on the files' lines.
import * as core from '@actions/core';
import type { Annotation } from '../report/annotations.js';

export function annotate(annotations: readonly Annotation[]): void {
  for (const { level, message, ...where } of annotations) {
    if (level === 'error') core.error(message, where);
    else core.warning(message, where);
  }
}
