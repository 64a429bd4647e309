/**
 * Chart.js, inlined into every report so it opens with no network. Read from node_modules
 * at run time (chart.js is a runtime dependency) and kept in memory after the first read.
 *
 * Why Chart.js: canvas charts with axis titles, legends, tooltips, log and category scales,
 * floating and stacked bars built in (what the report needs, with little code of ours), one
 * UMD file of about 200 kB with no dependencies, MIT, and among the most used and actively
 * released charting libraries. uPlot is smaller but has no category scales or bar/box
 * charts; Vega-Lite needs Vega and is about four times the size.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let chartJs: string | undefined;

/** The Chart.js UMD bundle, safe to put inside a <script> element. */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    // The package's exports map hides dist/chart.umd.min.js; its main entry sits beside it.
    const main = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
    chartJs = inlineScript(text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
  }
  return chartJs;
}

/** Script text that cannot end its <script> element early. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
