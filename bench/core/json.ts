/** JSON.parse that answers undefined instead of throwing, for output we validate next anyway. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
