"""Telephony backends: calls are placed by attempt id and the number comes from the dialer's
resolver at the moment of dialing (:mod:`dialer.telephony.base`).

Backends are registered by name under the ``survey_engine.telephony`` entry points
(:mod:`dialer.telephony.registry`); ``sim`` is a deterministic simulated network
(:mod:`dialer.telephony.sim`).
"""

from __future__ import annotations

from dialer.telephony.base import (
    HANGUP_PARTIES,
    CallEvent,
    CallSetup,
    DialRefused,
    NetworkEnding,
    NumberResolver,
    TelephonyBackend,
)
from dialer.telephony.registry import (
    available_backends,
    configured_backend,
    load_backend,
    telephony_settings,
)
from dialer.telephony.sim import SimBackend
from dialer.telephony.sim_rates import SimRates
from dialer.telephony.sim_respondent import RespondentBehaviour, SimRespondent

__all__ = [
    "HANGUP_PARTIES",
    "CallEvent",
    "CallSetup",
    "DialRefused",
    "NetworkEnding",
    "NumberResolver",
    "RespondentBehaviour",
    "SimBackend",
    "SimRates",
    "SimRespondent",
    "TelephonyBackend",
    "available_backends",
    "configured_backend",
    "load_backend",
    "telephony_settings",
]
