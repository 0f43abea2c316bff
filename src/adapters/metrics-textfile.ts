import {join} from 'node:path'
import {writeFileAtomic} from './files.js'

/** The file in metrics.textfile_dir: node_exporter's textfile collector reads every *.prom there. */
export const METRICS_FILE = 'ha-tool.prom'

/**
 * Writes the exposition text atomically (temp file + rename in the same directory), so the collector never
 * reads half a file; 0644, because node_exporter runs as its own user. Not fsynced: it is rewritten every interval.
 */
export function writeMetricsTextfile(dir: string, text: string): string {
  const path = join(dir, METRICS_FILE)
  writeFileAtomic(path, text, {mode: 0o644, durable: false})
  return path
}
