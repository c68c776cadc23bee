import type { SimulationResult } from './engine.js';

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const minutes = (value: number | null) => (value === null ? '—' : value < 120 ? `${value.toFixed(1)} min` : `${(value / 60).toFixed(1)} h`);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** The what-if result for a terminal: the headline figures, then one table per concern. */
export function formatSimulation(result: SimulationResult): string {
  const busiest = [...result.agents].sort((a, b) => b.utilisation - a.utilisation).slice(0, 5);
  const lines = [
    `Simulated ${result.horizon.start} → ${result.horizon.end} (seed ${result.seed}, ${result.events.toLocaleString('en-US')} events in ${(result.runtimeMs / 1000).toFixed(2)} s)`,
    `Tickets: ${result.tickets.arrived} arrived, ${result.tickets.assigned} assigned, ${result.tickets.resolved} resolved, ` +
      `${result.tickets.unassignedAtEnd} waiting at the end, ${result.tickets.unserved} nobody could take`,
    `Breaches: first response ${result.breaches.firstResponse}, resolution ${result.breaches.resolution}; immediate pages ${result.pages}`,
    `Waiting: mean ${minutes(result.waiting.meanWaitMinutes)}, p90 ${minutes(result.waiting.p90WaitMinutes)}, on average ${result.waiting.meanWaiting.toFixed(2)} tickets waiting`,
    `Roster: ${result.roster.agents} agents, mean utilisation ${percent(result.roster.meanUtilisation)}`,
    '',
    'SLA attainment (met ÷ met + breached)',
    ...table(
      ['tier', 'priority', 'tickets', 'first response', 'breached', 'resolution', 'breached'],
      result.sla.map((row) => [
        row.tier,
        row.priority,
        String(row.tickets),
        percent(row.firstResponseAttainment),
        String(row.firstResponseBreached),
        percent(row.resolutionAttainment),
        String(row.resolutionBreached),
      ]),
    ),
    '',
    'Queues',
    ...table(
      ['queue', 'entered', 'max length', 'mean length', 'mean wait', 'p90 wait', 'overflowed'],
      result.queues.map((queue) => [
        queue.key,
        String(queue.entered),
        String(queue.maxLength),
        queue.meanLength.toFixed(2),
        minutes(queue.meanWaitMinutes),
        minutes(queue.p90WaitMinutes),
        String(queue.overflowed),
      ]),
    ),
    '',
    'Routing',
    ...table(
      ['rule', 'tickets'],
      result.routing.map((entry) => [entry.rule, String(entry.tickets)]),
    ),
    '',
    'Busiest agents',
    ...table(
      ['agent', 'region', 'assigned', 'utilisation'],
      busiest.map((agent) => [agent.name, agent.region, String(agent.assigned), percent(agent.utilisation)]),
    ),
  ];
  if (result.warnings.length) lines.push('', 'Warnings', ...result.warnings.map((warning) => `  - ${warning}`));
  return `${lines.join('\n')}\n`;
}
