"""Assessment (考核评估) models, one module per subpackage: schemes (schemes, indicators, manual values and
evidence, rounds, scores, appeals, star ratings) and campaigns (八大攻坚行动 and their targets). Each module is owned
by its subpackage; this package only re-exports them for Django."""

from .campaigns import *  # noqa: F401,F403
from .schemes import *  # noqa: F401,F403
