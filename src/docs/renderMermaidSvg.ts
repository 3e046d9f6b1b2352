import { createRequire } from 'node:module';
import type { BrowserContext } from 'playwright-core';

/** The browser build of mermaid from node_modules, loaded into the page: no network. */
export function mermaidScriptPath(): string {
  return createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
}

declare const mermaid: {
  initialize(config: Record<string, unknown>): void;
  render(id: string, source: string): Promise<{ svg: string }>;
};

/**
 * Render Mermaid sources to SVG in a browser page. Labels are plain SVG text (no HTML inside
 * foreignObject), so the file shows in image viewers and on pages that strip HTML.
 */
export async function renderMermaidSvg(context: BrowserContext, sources: readonly string[]): Promise<string[]> {
  const page = await context.newPage();
  try {
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: mermaidScriptPath() });
    const out: string[] = [];
    for (const [k, source] of sources.entries()) {
      const svg = await page.evaluate(
        async ({ id, text }) => {
          mermaid.initialize({ startOnLoad: false, theme: 'default', htmlLabels: false, flowchart: { htmlLabels: false }, securityLevel: 'strict' });
          return (await mermaid.render(id, text)).svg;
        },
        { id: `diagram${k}`, text: source },
      );
      if (!svg.startsWith('<svg')) throw new Error(`mermaid returned no SVG for diagram ${k}`);
      out.push(svg);
    }
    return out;
  } finally {
    await page.close();
  }
}
