"""Learners: one algorithm per module behind one protocol (:class:`Learner`).

What a learner of one's own needs is importable from here::

    from jcaco.learners import Feedback, Information, Learner, Profile, Setup, View
"""

from __future__ import annotations

from jcaco.game.profile import Profile
from jcaco.learners.base import Feedback, Learner
from jcaco.learners.information import Information
from jcaco.learners.views import Setup, View

__all__ = ["Feedback", "Information", "Learner", "Profile", "Setup", "View"]
