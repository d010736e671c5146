"""The figures reported for a window, derived from its sums.

Rates are shares (0..1) and None when there is nothing to measure ("no data" is not "zero"):
- acceptance/edit/reject/ignored rate: of all decided suggestions (ignored = shown, never acted on);
  used_acceptance_rate / used_reject_rate: of the drafts the agent acted on (accepted+edited+rejected).
- mean_edit_distance: normalised (0..1), over drafts that were sent (accepted ones count as 0).
- dwell_seconds_per_word: display-to-decision seconds per word of the draft (draft_length / 5.5
  chars), over used drafts; fast_acceptance_share: accepted drafts decided faster than reading at
  4 words/s (dwell < 0.25 s/word).
- mean_concurrency: open chats averaged over active time (time-weighted); switches_per_minute:
  focus changes per active minute; reply_seconds / first_response_seconds: mean customer wait per
  agent reply / before the first reply of a chat; customers_left_waiting: chats 'abandoned';
  upset_share / angry_share: customer messages scored at least 0.35 / 0.65 frustration.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from copilot.usage.bucket_sums import CHARS_PER_WORD
from copilot.usage.tally import Tally, ratio


@dataclass(frozen=True)
class Figures:
    """Every reported figure, derived from a window's sums (also used for baselines and the team)."""

    suggestions_shown: int
    decisions: int
    accepted: int
    edited: int
    rejected: int
    ignored: int
    used: int  # accepted + edited + rejected
    acceptance_rate: float | None
    edit_rate: float | None
    reject_rate: float | None
    ignored_rate: float | None
    used_acceptance_rate: float | None
    used_reject_rate: float | None
    mean_edit_distance: float | None
    dwell_seconds_per_word: float | None
    accepted_dwell_seconds_per_word: float | None
    fast_acceptances: int
    fast_acceptance_share: float | None
    active_minutes: float
    mean_concurrency: float | None
    peak_concurrency: int
    switches: int
    switches_per_minute: float | None
    replies: int
    reply_seconds: float | None
    first_response_seconds: float | None
    chats_opened: int
    chats_ended: int
    chat_duration_seconds: float | None
    customers_left_waiting: int
    customer_messages: int
    frustration_mean: float | None
    frustration_peak: float | None
    upset_share: float | None
    angry_share: float | None

    @classmethod
    def of(cls, t: Tally) -> Figures:
        return cls(
            suggestions_shown=t.shown, decisions=t.decisions, accepted=t.accepted, edited=t.edited,
            rejected=t.rejected, ignored=t.ignored, used=t.used,
            acceptance_rate=ratio(t.accepted, t.decisions), edit_rate=ratio(t.edited, t.decisions),
            reject_rate=ratio(t.rejected, t.decisions), ignored_rate=ratio(t.ignored, t.decisions),
            used_acceptance_rate=ratio(t.accepted, t.used), used_reject_rate=ratio(t.rejected, t.used),
            mean_edit_distance=ratio(t.sent_edit_distance, t.accepted + t.edited),
            dwell_seconds_per_word=ratio(t.dwell_seconds, t.dwell_chars / CHARS_PER_WORD),
            accepted_dwell_seconds_per_word=ratio(t.accepted_seconds, t.accepted_chars / CHARS_PER_WORD),
            fast_acceptances=t.accepted_fast, fast_acceptance_share=ratio(t.accepted_fast, t.accepted_timed),
            active_minutes=t.active_seconds / 60.0,
            mean_concurrency=ratio(t.concurrency_seconds, t.active_seconds), peak_concurrency=t.concurrency_peak,
            switches=t.switches, switches_per_minute=ratio(t.switches, t.active_seconds / 60.0),
            replies=t.replies, reply_seconds=ratio(t.reply_seconds, t.replies_timed),
            first_response_seconds=ratio(t.first_response_seconds, t.first_responses),
            chats_opened=t.chats_opened, chats_ended=t.chats_ended,
            chat_duration_seconds=ratio(t.duration_seconds, t.durations), customers_left_waiting=t.abandoned,
            customer_messages=t.customer_messages, frustration_mean=ratio(t.frustration_sum, t.frustration_scored),
            frustration_peak=t.frustration_peak if t.frustration_scored else None,
            upset_share=ratio(t.upset, t.frustration_scored), angry_share=ratio(t.angry, t.frustration_scored),
        )

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}
