"""The ``[telephony.sip]`` options: the trunk, the agents' phones, the timers.

Example (``INSTANCE/config.toml``)::

    [telephony]
    backend = "sip"

    [telephony.sip]
    proxy = "trunk.example.net:5060"     # the carrier's proxy, host:port
    transport = "udp"
    domain = "trunk.example.net"         # host of the request URI (default: the proxy's)
    username = "centre-7"                # digest credentials for 401/407 challenges
    password = "s3cret"
    caller_id = "+3225550100"            # the From the respondent sees
    listen = "0.0.0.0:5070"              # where this process sends from and listens
    agent_uri = "sip:{agent}@10.1.0.5"   # each agent's extension (workstation or cell)
    agents = { "BEV-031" = "sip:201@10.1.0.31:5062" }   # exceptions to the template
    agent_answer_seconds = 10
    retries = 2                          # after a 503 or no response at all
    max_call_seconds = 3600              # when the call desk gives no maximum

Agent codes and extension URIs come from this file and the database, never from an agent's
screen; both are checked against strict patterns before a URI is built from them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer.errors import DialerError

OPTIONS = ("proxy", "transport", "domain", "username", "password", "caller_id", "listen",
           "agent_uri", "agents", "agent_answer_seconds", "t1_ms", "retries",
           "retry_after_max_seconds", "max_call_seconds")
TRANSPORTS = ("udp",)

_HOST = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")
_USER = re.compile(r"[A-Za-z0-9._~+-]{1,64}")
_AGENT_CODE = re.compile(r"[A-Za-z0-9._-]{1,32}")
_EXTENSION = re.compile(r"sip:(?P<user>[^@;?<> ]+)@(?P<hostport>[^;?<> ]+)")


@dataclass(frozen=True)
class HostPort:
    """A host (name or IPv4 address) and a port."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SipOptions:
    """Validated options of the SIP backend (module docstring); the password is never shown."""

    proxy: HostPort
    domain: str
    transport: str = "udp"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    caller_id: str = "survey-engine"
    listen: HostPort = HostPort("127.0.0.1", 0)
    agent_uri: str | None = None
    agents: Mapping[str, str] = field(default_factory=dict)
    agent_answer_seconds: float = 10.0
    t1_ms: int = 500
    retries: int = 2
    retry_after_max_seconds: float = 5.0
    max_call_seconds: float = 3600.0

    @property
    def t1(self) -> float:
        """RFC 3261 timer T1 in seconds (the first retransmission interval over UDP)."""
        return self.t1_ms / 1000

    def extension_of(self, agent: str | None) -> tuple[str, HostPort]:
        """The SIP URI of the agent's phone and where to send its INVITE.

        :raises DialerError: ``no_extension`` when neither ``agents`` nor ``agent_uri`` gives
            one, ``bad_agent`` when the agent code is not a plain code.
        """
        if agent is None or not _AGENT_CODE.fullmatch(agent):
            raise DialerError("bad_agent", "the SIP backend needs the attempt's agent code to "
                                           "ring the agent's phone")
        uri = self.agents.get(agent)
        if uri is None and self.agent_uri is not None:
            uri = self.agent_uri.replace("{agent}", agent)
        if uri is None:
            raise DialerError("no_extension", f"agent {agent} has no SIP extension: set "
                                              "telephony.sip.agents or agent_uri")
        return uri, extension_address(uri, "agent extension")


def options_from_table(options: Mapping[str, Any]) -> SipOptions:
    """Check the ``[telephony.sip]`` table and build :class:`SipOptions`.

    :raises DialerError: ``backend_options`` naming the first option that is unknown or wrong.
    """
    for key in options:
        if key not in OPTIONS:
            raise _bad(f"unknown option {key!r} of the sip backend; known: {', '.join(OPTIONS)}")
    if "proxy" not in options:
        raise _bad("option proxy is required: the trunk's proxy as host:port")
    proxy = host_port(options["proxy"], "proxy", default_port=5060)
    transport = _text(options, "transport", "udp")
    if transport not in TRANSPORTS:
        raise _bad(f"option transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
    domain = _text(options, "domain", proxy.host)
    if not _is_host(domain):
        raise _bad("option domain must be a host name or IPv4 address")
    username, password = options.get("username"), options.get("password")
    if (username is None) != (password is None):
        raise _bad("options username and password go together")
    if username is not None and not (isinstance(username, str) and _USER.fullmatch(username)):
        raise _bad("option username must be a plain SIP user name")
    if password is not None and not (isinstance(password, str) and password
                                     and password.isprintable()):
        raise _bad("option password must be printable text")
    caller_id = _text(options, "caller_id", "survey-engine")
    if not _USER.fullmatch(caller_id):
        raise _bad("option caller_id must be a plain SIP user name or number")
    agents = options.get("agents", {})
    if not isinstance(agents, Mapping):
        raise _bad("option agents must be a table of agent code = \"sip:user@host:port\"")
    for code, uri in agents.items():
        if not _AGENT_CODE.fullmatch(str(code)) or not isinstance(uri, str):
            raise _bad(f"option agents.{code} must map an agent code to a SIP URI")
        extension_address(uri, f"agents.{code}")
    agent_uri = options.get("agent_uri")
    if agent_uri is not None:
        if not isinstance(agent_uri, str) or "{agent}" not in agent_uri:
            raise _bad("option agent_uri must be a SIP URI with {agent} in it")
        extension_address(agent_uri.replace("{agent}", "agent"), "agent_uri")
    return SipOptions(
        proxy=proxy, domain=domain, transport=transport, username=username, password=password,
        caller_id=caller_id,
        listen=host_port(options.get("listen", "127.0.0.1:0"), "listen", default_port=0),
        agent_uri=agent_uri, agents={str(code): uri for code, uri in agents.items()},
        agent_answer_seconds=_number(options, "agent_answer_seconds", 10.0, 0.1, 120),
        t1_ms=int(_number(options, "t1_ms", 500, 10, 5000, integer=True)),
        retries=int(_number(options, "retries", 2, 0, 5, integer=True)),
        retry_after_max_seconds=_number(options, "retry_after_max_seconds", 5.0, 0, 60),
        max_call_seconds=_number(options, "max_call_seconds", 3600.0, 1, 86400))


def host_port(value: object, name: str, *, default_port: int) -> HostPort:
    """``host[:port]`` as a :class:`HostPort`.

    :raises DialerError: ``backend_options`` naming ``name``.
    """
    if not isinstance(value, str) or not value:
        raise _bad(f"option {name} must be host:port")
    host, _, port_text = value.rpartition(":") if ":" in value else (value, "", "")
    if not _is_host(host):
        raise _bad(f"option {name} must be host:port with a host name or IPv4 address")
    if port_text and not (port_text.isdigit() and int(port_text) <= 65535):
        raise _bad(f"option {name} has a port that is not a number from 0 to 65535")
    return HostPort(host, int(port_text) if port_text else default_port)


def extension_address(uri: str, name: str) -> HostPort:
    """Where an agent's ``sip:user@host[:port]`` URI is reached.

    :raises DialerError: ``backend_options`` naming ``name``.
    """
    match = _EXTENSION.fullmatch(uri)
    if match is None or not _USER.fullmatch(match["user"]):
        raise _bad(f"option {name} must be a SIP URI sip:user@host[:port]")
    return host_port(match["hostport"], name, default_port=5060)


def _is_host(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        return bool(_HOST.fullmatch(host)) and not host.replace(".", "").isdigit()


def _text(options: Mapping[str, Any], name: str, default: str) -> str:
    value = options.get(name, default)
    if not isinstance(value, str) or not value:
        raise _bad(f"option {name} must be text")
    return value


def _number(options: Mapping[str, Any], name: str, default: float, low: float, high: float,
            *, integer: bool = False) -> float:
    value = options.get(name, default)
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        raise _bad(f"option {name} must be {kind} from {low:g} to {high:g}")
    return float(value)


def _bad(message: str) -> DialerError:
    return DialerError("backend_options", message)
