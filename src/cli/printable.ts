/**
 * Text from users (ids, names, messages that quote them) printed to a terminal: control
 * characters are shown escaped, so a NUL, a newline or an ANSI sequence in an id can neither
 * break a line apart nor repaint the screen.
 */

// Cc: C0 controls, DEL and C1 controls (0x9b is a one-byte CSI on some terminals).
const CONTROL = /\p{Cc}/gu;

const escaped = (char: string): string => {
  const code = char.charCodeAt(0);
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return `\\x${code.toString(16).padStart(2, '0')}`;
};

/**
 * `text` with its control characters escaped (`\x1b`, `\n`, `\x00`).
 *
 * @example
 * printable('a\x1b[31mb') // 'a\\x1b[31mb'
 */
export function printable(text: string): string {
  return text.replace(CONTROL, escaped);
}
