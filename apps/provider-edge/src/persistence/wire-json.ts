/**
 * Wire objects (Task, TaskReport) stored as JSON must go back through proto-loader's fromObject: bytes as base64,
 * never Buffer's JSON shape.
 */
export function wireJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer') {
      const data = (v as { data?: unknown }).data;
      if (Array.isArray(data)) return Buffer.from(data as number[]).toString('base64');
    }
    return v;
  });
}
