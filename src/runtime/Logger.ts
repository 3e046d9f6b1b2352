/**
 * One line per event: `<ISO time> <EventName> key=value ...`. Event names are PascalCase and, where
 * the event is a protocol step, the spec's action name. Values are printed with JSON quoting when they
 * contain spaces or quotes, so a line splits back into fields.
 */
export type LogFields = Readonly<Record<string, string | number | bigint | boolean | null | undefined>>;

export interface Logger {
  event(name: string, fields?: LogFields): void;
}

/** Formats one event line (without the trailing newline). */
export function formatLogLine(time: Date, name: string, fields: LogFields = {}): string {
  const parts = [time.toISOString(), name];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(' ');
}

function formatValue(value: string | number | bigint | boolean | null): string {
  if (typeof value === 'bigint') return `0x${BigInt.asUintN(64, value).toString(16)}`;
  const text = String(value);
  return /^[^\s"=]*$/.test(text) && text.length > 0 ? text : JSON.stringify(text);
}

/** Writes lines to a stream (stderr by default). */
export class StreamLogger implements Logger {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
    private readonly prefix: LogFields = {},
  ) {}

  event(name: string, fields: LogFields = {}): void {
    this.write(`${formatLogLine(new Date(), name, { ...this.prefix, ...fields })}\n`);
  }
}

/** Keeps lines in memory: for tests, and for a server embedded in another program. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  readonly events: { name: string; fields: LogFields }[] = [];

  event(name: string, fields: LogFields = {}): void {
    this.events.push({ name, fields });
    this.lines.push(formatLogLine(new Date(), name, fields));
  }

  named(name: string): LogFields[] {
    return this.events.filter((event) => event.name === name).map((event) => event.fields);
  }
}

export const silentLogger: Logger = { event: () => undefined };
