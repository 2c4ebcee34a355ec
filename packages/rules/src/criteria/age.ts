import { byPoints, type KindCompiled, type KindContext, memoised } from './common.ts';

export function compileAge({ c, suffix }: KindContext<'age'>): KindCompiled {
  const { min, maxExclusive } = c;
  const bands = (c.pointsBands ?? []).map((b) => ({
    min: b.min,
    maxExclusive: b.maxExclusive,
    points: b.points,
    label:
      b.maxExclusive === undefined
        ? `${b.min}+ band`
        : b.maxExclusive - 1 === b.min
          ? `age ${b.min}`
          : `${b.min}–${b.maxExclusive - 1} band`,
  }));
  const threshold = min !== undefined || maxExclusive !== undefined;
  const need =
    min !== undefined && maxExclusive !== undefined
      ? `age ${min} to ${maxExclusive - 1}`
      : min !== undefined
        ? `age ${min} or over`
        : `under ${maxExclusive}`;
  return {
    hasPoints: bands.length > 0,
    threshold,
    maxPoints: Math.max(0, ...bands.map((b) => b.points)),
    // Everything follows from the age (and the as-of date, which the memo watches).
    check: memoised(
      (f) => (f.age >= 0 && f.age < 200 ? f.age : -1),
      (f, o) => {
        const age = f.age;
        let band = '';
        for (let i = 0; i < bands.length; i++) {
          const b = bands[i]!;
          if (age >= b.min && (b.maxExclusive === undefined || age < b.maxExclusive)) {
            o.points = b.points;
            band = b.label;
            break;
          }
        }
        const ok = (min === undefined || age >= min) && (maxExclusive === undefined || age < maxExclusive);
        if (threshold) o.status = ok ? 'met' : 'unmet';
        else byPoints(o);
        const head = `age ${age} on ${f.asOf}`;
        o.detail = `${
          !ok
            ? `${head}: needs ${need}`
            : bands.length > 0
              ? `${head}: ${band || 'no band'} (${o.points} points)`
              : `${head}: ${need}`
        }${suffix}`;
        o.need = need;
        o.have = `age ${age}`;
      },
      200,
    ),
  };
}
