/**
 * What `tinykv grade-all` prints while it works: one line when it starts (how many students, how
 * many already graded), one per student graded (score, status, time, an estimate of the time
 * left), on stderr so that stdout stays free for the final table.
 *
 * @module
 */
import pc from 'picocolors';
import type { GradeAllEvent } from './grade-all';
import { percentOf } from './grade-all-summary';

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** Returns an event handler that writes progress lines to `stream`. */
export function createGradeAllProgress(stream: NodeJS.WritableStream = process.stderr): (event: GradeAllEvent) => void {
  return (event) => {
    switch (event.kind) {
      case 'start':
        stream.write(`${event.students} submission(s): ${event.alreadyGraded} already graded, ${event.toGrade} to grade, ${event.parallel} at a time.\n`);
        break;
      case 'student-start':
        break;
      case 'student-end': {
        const { outcome } = event;
        const left = event.toGrade - event.finished;
        const eta = left > 0 ? `, about ${duration((event.elapsedMs / event.finished) * left)} left` : '';
        const why = outcome.status === 'graded' ? (outcome.reasons.length > 0 ? ` — ${pc.yellow(outcome.reasons.join('; '))}` : '') : ` — ${pc.red(`${outcome.status}: ${outcome.reasons[0] ?? ''}`)}`;
        stream.write(`[${event.finished}/${event.toGrade}] ${outcome.student}: ${outcome.score}/${outcome.max_score} (${percentOf(outcome.score, outcome.max_score)}%) in ${duration(outcome.wall_ms)}${eta}${why}\n`);
        break;
      }
    }
  };
}
