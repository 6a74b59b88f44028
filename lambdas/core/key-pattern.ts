/**
 * A static check that a contract's `partition_date.key_pattern` runs in linear time on any key.
 * JavaScript regexes backtrack: a nested quantifier such as `(\d+)+x` takes exponential time on a
 * long run of digits, and adjacent unbounded quantifiers (`.*.*x`) polynomial time, enough to time
 * out the sweep, which runs the pattern on every landed key. The check is conservative: it refuses
 * some harmless patterns, and every pattern it accepts does a bounded amount of work per
 * character. It runs on the pattern's text, never on a key.
 */
import { ContractError } from './errors.js';

/** A quantifier's repeat counts; `max` is Infinity for `*`, `+` and `{n,}`. */
interface Repeat {
  readonly min: number;
  readonly max: number;
}

/** What the parser learns about one piece of the pattern. */
interface Facts {
  /** Contains a quantifier whose count varies, or an alternation: it can match in several ways. */
  readonly ambiguous: boolean;
}

/** Counts above this width (max - min) count as unbounded: `\d{0,1000}` backtracks like `\d*`. */
const WIDE = 16;
/**
 * The product of the widths of the bounded variable quantifiers (`?`, `{1,4}`) a pattern may hold:
 * each multiplies the ways to try a match, and an unbounded quantifier multiplies them by the key's
 * length again.
 */
const MAX_BOUNDED_CHOICES = 4_096;
const MAX_BOUNDED_CHOICES_WITH_UNBOUNDED = 64;

class PatternScan {
  private i = 0;
  private unbounded = 0;
  private choices = 1;
  problem: string | undefined;

  constructor(private readonly src: string) {}

  run(): string | undefined {
    this.alternatives();
    if (!this.problem && this.unbounded > 1)
      this.problem = `it has ${this.unbounded} unbounded quantifiers (*, + or {n,}); at most one is allowed, because each further one multiplies the backtracking on a long key (use bounded counts such as \\d{4})`;
    const budget = this.unbounded ? MAX_BOUNDED_CHOICES_WITH_UNBOUNDED : MAX_BOUNDED_CHOICES;
    if (!this.problem && this.choices > budget)
      this.problem =
        'its optional and bounded repeats allow too many ways to match (use exact counts such as \\d{4})';
    return this.problem;
  }

  private refuse(reason: string): void {
    this.problem ??= reason;
  }

  /** alternative ( "|" alternative )*, up to a ")" or the end. */
  private alternatives(): Facts {
    let branches = 1;
    let ambiguous = this.sequence().ambiguous;
    while (this.src[this.i] === '|') {
      this.i++;
      branches++;
      ambiguous = this.sequence().ambiguous || ambiguous;
    }
    return { ambiguous: ambiguous || branches > 1 };
  }

  private sequence(): Facts {
    let ambiguous = false;
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      const repeat = this.quantifier();
      if (!repeat) {
        ambiguous ||= atom.ambiguous;
        continue;
      }
      if (repeat.max > 1 && atom.ambiguous)
        this.refuse(
          'it repeats a group that can itself match in several ways (a nested quantifier or an alternation inside a repeated group, as in (\\d+)+ or (a|b)*), which backtracks exponentially',
        );
      const width = repeat.max - repeat.min;
      if (width > WIDE) this.unbounded++;
      else this.choices *= width + 1;
      ambiguous ||= atom.ambiguous || width > 0;
    }
    return { ambiguous };
  }

  private atom(): Facts {
    const c = this.src[this.i]!;
    if (c === '(') return this.group();
    if (c === '[') {
      this.charClass();
      return { ambiguous: false };
    }
    if (c === '\\') {
      this.escape();
      return { ambiguous: false };
    }
    this.i++;
    return { ambiguous: false };
  }

  private group(): Facts {
    this.i++;
    if (this.src.startsWith('?<', this.i) && !/^\?<[=!]/.test(this.src.slice(this.i, this.i + 3))) {
      this.i = this.src.indexOf('>', this.i) + 1;
    } else if (this.src[this.i] === '?') {
      // (?: (?= (?! (?<= (?<!
      this.i += this.src[this.i + 1] === '<' ? 3 : 2;
    }
    const inner = this.alternatives();
    if (this.src[this.i] === ')') this.i++;
    return inner;
  }

  private charClass(): void {
    this.i++;
    while (this.i < this.src.length && this.src[this.i] !== ']') this.i += this.src[this.i] === '\\' ? 2 : 1;
    this.i++;
  }

  private escape(): void {
    const next = this.src[this.i + 1] ?? '';
    if (/[1-9]/.test(next) || (next === 'k' && this.src[this.i + 2] === '<'))
      this.refuse('it uses a backreference (\\1 or \\k<name>), which a regex cannot match in linear time');
    this.i += 2;
  }

  /** `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`, each optionally lazy; undefined when none follows. */
  private quantifier(): Repeat | undefined {
    const c = this.src[this.i];
    let repeat: Repeat | undefined;
    if (c === '*') repeat = { min: 0, max: Number.POSITIVE_INFINITY };
    else if (c === '+') repeat = { min: 1, max: Number.POSITIVE_INFINITY };
    else if (c === '?') repeat = { min: 0, max: 1 };
    if (repeat) this.i++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      // Without the `u` flag a "{" that is not a quantifier is a literal brace.
      if (!m) return undefined;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY;
      repeat = { min, max };
      this.i += m[0].length;
    } else return undefined;
    if (this.src[this.i] === '?') this.i++;
    return repeat;
  }
}

/**
 * Why a key pattern could take more than linear time on some key, or undefined when it is safe.
 * The pattern must already compile with `new RegExp(pattern)`.
 */
export function keyPatternProblem(pattern: string): string | undefined {
  return new PatternScan(pattern).run();
}

const compiled = new Map<string, RegExp>();

/** The compiled key pattern; throws a ContractError naming the field for a pattern the check refuses. */
export function compileKeyPattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  const problem = keyPatternProblem(pattern);
  if (problem)
    throw new ContractError(`partition_date.key_pattern ${JSON.stringify(pattern)} refused: ${problem}`);
  re = new RegExp(pattern);
  compiled.set(pattern, re);
  return re;
}
