"""Sampling (抽样检验) models, one module per aggregate: config (rates, weights, deadlines), plans (plans, plan
lines, organisations), samples (tasks, 抽样单), results (result items, lab submissions, disposals), votes (你点我检)
and consultation (风险会商)."""

from .config import QuotaRate, SamplingDeadlines, SuggestionWeights
from .consultation import ConsultationDecision, ConsultationMeeting
from .plans import Organisation, PlanLine, SamplingPlan
from .results import Disposal, DisposalStep, ResultItem
from .samples import QuickTestObjection, Sample, SampleAttachment, SampleSequence, SamplingTask
from .votes import Vote, VoteTopic

__all__ = [
    "ConsultationDecision",
    "ConsultationMeeting",
    "Disposal",
    "DisposalStep",
    "Organisation",
    "PlanLine",
    "QuickTestObjection",
    "QuotaRate",
    "ResultItem",
    "Sample",
    "SampleAttachment",
    "SampleSequence",
    "SamplingDeadlines",
    "SamplingPlan",
    "SamplingTask",
    "SuggestionWeights",
    "Vote",
    "VoteTopic",
]
