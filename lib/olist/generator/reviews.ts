/**
 * A review's content: the score reacts to late or missing deliveries; titles are rare; unhappy customers
 * write more. Messages join fragments with a space or, now and then, a line break (CRLF or LF), the way
 * the real file's messages do.
 */
import { DAY, formatMidnight, formatTimestamp, startOfDay } from './calendar';
import type { Rng } from './prng';
import * as D from './reference/distributions';
import * as T from './reference/review-text';
import { quantile, Weighted } from './sampling';

export interface ReviewContent {
  score: number;
  title: string;
  message: string;
  creation: string;
  answer: string;
}

const ON_TIME = new Weighted(D.SCORES_ON_TIME);
const LATE = new Weighted(D.SCORES_LATE);
const JOINS = new Weighted([[' ', 78], ['\r\n', 12], ['\n', 8], ['\r\n\r\n', 2]] as const);
const QUOTED_SHARE = 0.03;

function message(score: number, rng: Rng): string {
  const bank = score >= 4 ? T.PHRASES_GOOD : score === 3 ? T.PHRASES_MIXED : T.PHRASES_BAD;
  const parts = rng.int(1, 3);
  let text = rng.chance(QUOTED_SHARE) ? rng.pick(T.PHRASES_QUOTED) : rng.pick(bank);
  for (let k = 1; k < parts; k++) text += JOINS.draw(rng) + rng.pick(bank);
  return text;
}

function title(score: number, rng: Rng): string {
  return rng.pick(score >= 4 ? T.TITLES_GOOD : score === 3 ? T.TITLES_MIXED : T.TITLES_BAD);
}

/** `surveyFrom`: when the survey went out (delivery, or the promised date when nothing arrived). */
export function composeReview(disappointed: boolean, surveyFrom: number, rng: Rng): ReviewContent {
  const score = (disappointed ? LATE : ON_TIME).draw(rng);
  const created = startOfDay(surveyFrom) + rng.int(0, 1) * DAY;
  const answered = created + Math.round(quantile(D.ANSWER_SECONDS, rng.float()));
  return {
    score,
    title: rng.chance(D.TITLE_SHARE) ? title(score, rng) : '',
    message: rng.chance(D.MESSAGE_SHARE_BY_SCORE[score] ?? 0) ? message(score, rng) : '',
    creation: formatMidnight(created),
    answer: formatTimestamp(answered),
  };
}
