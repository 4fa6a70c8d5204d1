/**
 * The live line `tinykv grade` shows on a terminal: which stages are running and how far
 * along they are. Off a terminal (CI, pipes) it prints one plain line per finished stage.
 *
 * @module
 */
import pc from 'picocolors';
import type { GradeEvent } from './grade';

/** Returns an event handler that draws progress on `stream`. */
export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr): (event: GradeEvent) => void {
  const interactive = Boolean(stream.isTTY);
  const running = new Map<string, { finished: number; tests: number }>();
  const redraw = () => {
    if (!interactive) return;
    const parts = [...running].map(([stage, { finished, tests }]) => `${stage} ${finished}/${tests}`);
    stream.write(`\r\x1b[2K${parts.length > 0 ? pc.dim(`running: ${parts.join(', ')}`) : ''}`);
  };
  return (event) => {
    switch (event.kind) {
      case 'typecheck-start':
        if (interactive) stream.write(pc.dim('type-checking the workspace…'));
        break;
      case 'typecheck-end':
        if (interactive) stream.write('\r\x1b[2K');
        stream.write(pc.dim(`type-checked in ${(event.durationMs / 1000).toFixed(1)} s (${event.errors} error${event.errors === 1 ? '' : 's'})\n`));
        break;
      case 'stage-start':
        running.set(event.stage, { finished: 0, tests: event.tests });
        redraw();
        break;
      case 'stage-progress':
        running.set(event.stage, { finished: event.finished, tests: event.tests });
        redraw();
        break;
      case 'stage-end':
        running.delete(event.stage);
        if (interactive) stream.write('\r\x1b[2K');
        stream.write(pc.dim(`stage ${event.stage}: ${event.report.score}/${event.report.max_score} (${event.report.status}) in ${(event.report.wall_ms / 1000).toFixed(1)} s\n`));
        redraw();
        break;
    }
  };
}
