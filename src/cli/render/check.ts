import type {CheckReport} from '../../app/run-check.js'

/** check prints nothing on stdout: its one-line reason goes to stderr as it runs, for keepalived's log. */
export function renderCheck(_report: CheckReport): string {
  return ''
}
