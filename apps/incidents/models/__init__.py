"""Incidents (事件与投诉) models, one module per subpackage: emergencies (incidents, reports, actions, grading
criteria), opinion (舆情 events), drills (emergency plans, drills) and complaints (complaints, reporter identity,
rewards). Each module is owned by its subpackage; this package only re-exports them for Django."""

from .complaints import (  # noqa: F401
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    ComplaintRules,
    ReporterIdentity,
    Reward,
    RewardRule,
)
from .drills import Drill, DrillAttachment, EmergencyPlan, PlanVersion  # noqa: F401
from .emergencies import (  # noqa: F401
    Incident,
    IncidentAction,
    IncidentEvent,
    IncidentGradingCriteria,
    IncidentLevel,
    IncidentLink,
    IncidentReport,
    IncidentRules,
)
from .opinion import OpinionAction, OpinionEvent, OpinionEventHistory, OpinionRules  # noqa: F401
