import { inspect } from 'node:util';

export type Colour = 'green' | 'red' | 'yellow' | 'bold' | 'dim';
/** Wraps text in a colour, or returns it as it is where colour is off. */
export type Paint = (colour: Colour, text: string) => string;

/**
 * Colour only where a person reads a terminal: a pipe, a file or CI gets plain text. `hasColors()`
 * (Node's tty.WriteStream) already honours NO_COLOR, FORCE_COLOR and TERM=dumb.
 */
export function paintFor(
  stream: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean },
): Paint {
  const on = stream.isTTY === true && (stream.hasColors?.() ?? false);
  if (!on) return (_colour, text) => text;
  return (colour, text) => {
    const [open, close] = inspect.colors[colour] ?? [0, 0];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}
