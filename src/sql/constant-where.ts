// A WHERE that holds for every row bounds nothing: `DELETE FROM t WHERE 1=1` deletes the table.
// This evaluates a condition made only of literals; anything that reads a column, a variable or a
// function is not constant (undefined), and the WHERE counts as a real one.
import type { Ast } from './ast-details.js';

type Value = number | string | boolean | null;

function literal(node: Ast): { value: Value } | undefined {
  switch (node?.type) {
    case 'number':
      return { value: Number(node.value) };
    case 'bool':
    case 'boolean':
      return { value: Boolean(node.value) };
    case 'null':
      return { value: null };
    case 'single_quote_string':
    case 'double_quote_string':
    case 'string':
      return { value: String(node.value) };
    default:
      return undefined;
  }
}

/** MySQL's truth of a value: numbers by non-zero, strings by their leading number. */
function truth(value: Value): boolean | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return !Number.isNaN(Number.parseFloat(value)) && Number.parseFloat(value) !== 0;
}

function compare(operator: string, a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null;
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  const [l, r] = typeof x === typeof y ? [x, y] : [Number(x), Number(y)];
  switch (operator) {
    case '=':
      return l === r;
    case '!=':
    case '<>':
      return l !== r;
    case '<':
      return l < r;
    case '>':
      return l > r;
    case '<=':
      return l <= r;
    case '>=':
      return l >= r;
    default:
      return null;
  }
}

/** The constant value of an expression, or undefined when it depends on the row. */
function evaluate(node: Ast): { value: Value } | undefined {
  const lit = literal(node);
  if (lit) return lit;
  if (node?.type === 'unary_expr' && String(node.operator).toUpperCase() === 'NOT') {
    const inner = evaluate(node.expr);
    if (!inner) return undefined;
    const t = truth(inner.value);
    return { value: t === null ? null : !t };
  }
  if (node?.type !== 'binary_expr') return undefined;
  const operator = String(node.operator).toUpperCase();
  const left = evaluate(node.left);
  const right = evaluate(node.right);
  if (operator === 'OR' || operator === '||') {
    // TRUE OR anything is true, even when the other side reads the row.
    if ((left && truth(left.value) === true) || (right && truth(right.value) === true))
      return { value: true };
    return left && right ? { value: truth(left.value) || truth(right.value) } : undefined;
  }
  if (!left || !right) return undefined;
  if (operator === 'AND' || operator === '&&') {
    const l = truth(left.value);
    const r = truth(right.value);
    return { value: l === false || r === false ? false : l === null || r === null ? null : true };
  }
  if (operator === 'IS') return { value: left.value === right.value };
  if (operator === 'IS NOT') return { value: left.value !== right.value };
  const c = compare(operator, left.value, right.value);
  return c === null && !['=', '!=', '<>', '<', '>', '<=', '>='].includes(operator) ? undefined : { value: c };
}

/** Whether a WHERE condition is true for every row. */
export function alwaysTrue(where: Ast): boolean {
  const result = evaluate(where);
  return result !== undefined && truth(result.value) === true;
}
