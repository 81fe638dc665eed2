import type { BenchConfig } from './config.js'
import type { MachineInfo } from './machine.js'
import type { ResultRow, ScenarioResult } from './results.js'

/** Everything one run produced. */
export interface BenchReport {
  readonly startedAt: string
  readonly durationS: number
  readonly command: string
  readonly config: BenchConfig
  readonly machine: MachineInfo
  readonly versions: Readonly<Record<string, string>>
  readonly scenarios: readonly ScenarioResult[]
}

/** `0.84 µs`, `57.1 µs`, `1.32 ms`, `2.41 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  if (ms < 1) return `${(ms * 1_000).toPrecision(3)} µs`
  if (ms < 1_000) return `${ms.toPrecision(3)} ms`
  return `${(ms / 1_000).toPrecision(3)} s`
}

function formatRatio(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '' : `${ratio.toFixed(2)}×`
}

function formatCount(count: number | undefined): string {
  return count === undefined ? '' : Math.round(count).toLocaleString('en-US')
}

interface Column {
  readonly header: string
  readonly cell: (row: ResultRow) => string
}

function columnsFor(rows: readonly ResultRow[]): Column[] {
  const columns: Column[] = [
    { header: 'contender', cell: (row) => (row.isBaseline ? `**${row.contender}**` : row.contender) },
    { header: 'median', cell: (row) => formatDuration(row.medianMs) },
    { header: 'p99', cell: (row) => formatDuration(row.p99Ms) },
    { header: 'median ÷ baseline', cell: (row) => formatRatio(row.ratio) },
    { header: 'p99 ÷ baseline', cell: (row) => formatRatio(row.p99Ratio) },
  ]
  if (rows.some((row) => row.opsPerSec !== undefined)) {
    columns.push({ header: 'calls/s', cell: (row) => formatCount(row.opsPerSec) })
    columns.push({ header: 'throughput ÷ baseline', cell: (row) => formatRatio(row.throughputRatio) })
  }
  if (rows.some((row) => row.pingP99Ms !== undefined)) {
    columns.push({ header: 'PING median', cell: (row) => (row.pingMedianMs === undefined ? '' : formatDuration(row.pingMedianMs)) })
    columns.push({ header: 'PING p99', cell: (row) => (row.pingP99Ms === undefined ? '' : formatDuration(row.pingP99Ms)) })
  }
  if (rows.some((row) => row.loaderCalls !== undefined)) columns.push({ header: 'loader calls', cell: (row) => formatCount(row.loaderCalls) })
  columns.push({ header: 'samples', cell: (row) => formatCount(row.samples) })
  if (rows.some((row) => row.note !== undefined)) columns.push({ header: 'note', cell: (row) => row.note ?? '' })
  return columns
}

/**
 * One scenario as a markdown table.
 *
 * @example
 * ```ts
 * console.log(renderScenario(result))
 * ```
 */
export function renderScenario(scenario: ScenarioResult): string {
  const columns = columnsFor(scenario.rows)
  const lines = [
    `#### ${scenario.title}`,
    '',
    `One sample: ${scenario.unit}.`,
    '',
    `| ${columns.map((column) => column.header).join(' | ')} |`,
    `| ${columns.map((_, index) => (index === 0 ? '---' : '---:')).join(' | ')} |`,
    ...scenario.rows.map((row) => `| ${columns.map((column) => column.cell(row)).join(' | ')} |`),
    ...(scenario.notes === undefined || scenario.notes.length === 0 ? [] : ['', ...scenario.notes]),
  ]
  return lines.join('\n')
}

/**
 * The whole run as markdown: machine, versions, command, then every table.
 *
 * @example
 * ```ts
 * process.stdout.write(renderReport(report))
 * ```
 */
export function renderReport(report: BenchReport): string {
  const { machine } = report
  const parts = [
    `### Run of ${report.startedAt} (${report.config.smoke ? 'smoke' : 'full'}, ${report.durationS.toFixed(0)} s)`,
    '',
    `Command: \`${report.command}\``,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cpus} CPUs (nproc), ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}, ${machine.redisServer}. Cachette loaded from its ${machine.cachetteFrom}.`,
    '',
    `Versions: ${Object.entries(report.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    ...report.scenarios.flatMap((scenario) => [renderScenario(scenario), '']),
  ]
  return parts.join('\n')
}
