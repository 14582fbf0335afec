// ASCII sparklines for terminals without Unicode (and for very short histories).
const LEVELS = ' .:-=+*#%@';

export function asciiSparkline(values: readonly number[], width: number): string {
  const v = values.slice(-Math.max(1, width));
  const max = Math.max(0, ...v);
  if (max <= 0) return '_'.repeat(v.length);
  return v.map((x) => LEVELS[Math.min(LEVELS.length - 1, Math.round((x / max) * (LEVELS.length - 1)))] ?? ' ').join('');
}
