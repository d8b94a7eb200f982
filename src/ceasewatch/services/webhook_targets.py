"""Where webhooks may go: public addresses, and what the operator allows.

A webhook URL tells this server to connect somewhere. Pointed at the cloud's metadata
service (169.254.169.254, fd00:ec2::254, metadata.google.internal), at loopback or at
the private network, it would make the server a way into places only it can reach. So a
URL must be http or https, and its host must be, or resolve only to, public addresses,
unless the operator allows a network or a host name in `CEASEWATCH_WEBHOOK_ALLOW`
(comma-separated: `127.0.0.0/8, ::1, 10.20.0.0/16, hooks.corp.example`; a name allowed
there is trusted with whatever it resolves to).

A URL is checked when the directory is written and again just before each connection,
since a name may resolve elsewhere by then: the sender connects to the addresses it
checked, never resolving the name a second time.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

import httpx

ENV_VAR = "CEASEWATCH_WEBHOOK_ALLOW"

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

MACHINE_NAMES = frozenset(
    {
        "localhost",
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
"""Names of this machine and of the clouds' metadata services, refused unless allowed."""

_NAT64 = IPv6Network("64:ff9b::/96")


class TargetRefused(ValueError):
    """A webhook URL this server will not connect to, and why."""


@dataclass(frozen=True)
class WebhookTargets:
    """The networks and host names allowed besides public addresses (none by default)."""

    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> WebhookTargets:
        """`127.0.0.0/8, ::1, hooks.corp.example`: networks (or addresses) and host names."""
        networks: list[Network] = []
        hosts: set[str] = set()
        for entry in text.replace(",", " ").split():
            try:
                networks.append(ip_network(entry, strict=False))
            except ValueError:
                name = _name(entry)
                if not name or "/" in name or ":" in name:
                    raise ValueError(
                        f"{ENV_VAR}: {entry!r} is neither a network nor a host name"
                    ) from None
                hosts.add(name)
        return cls(tuple(networks), frozenset(hosts))

    @classmethod
    def from_env(cls) -> WebhookTargets:
        return cls.parse(os.environ.get(ENV_VAR, ""))

    def check(self, url: str) -> None:
        """Refuse a URL when it is written into the directory. A name that does not
        resolve (yet) passes: every send checks again."""
        target = _target(url)
        if target.host in self.hosts:
            return
        literal = _literal(target.host)
        if literal is not None:
            self._check_address(target.host, literal, named=False)
            return
        self._check_name(target.host)
        try:
            addresses = _resolve(target.host, target.port)
        except TargetRefused:
            return
        for address in addresses:
            self._check_address(target.host, address, named=True)

    def addresses(self, url: str) -> list[Address]:
        """Just before connecting: the host's addresses, each one checked."""
        target = _target(url)
        literal = _literal(target.host)
        addresses = [literal] if literal is not None else _resolve(target.host, target.port)
        if target.host not in self.hosts:
            if literal is None:
                self._check_name(target.host)
            for address in addresses:
                self._check_address(target.host, address, named=literal is None)
        return addresses

    def _check_name(self, host: str) -> None:
        if host in MACHINE_NAMES or host.endswith(".localhost"):
            raise TargetRefused(f"{host} names this machine or a cloud metadata service; {_HOW}")

    def _check_address(self, host: str, address: Address, *, named: bool) -> None:
        carried = {address, _embedded(address)}
        if any(a in network for a in carried for network in self.networks) or _public(address):
            return
        kind = _kind(address)
        if named:
            raise TargetRefused(f"{host} resolves to {kind} address; {_HOW}")
        raise TargetRefused(f"{address} is {kind} address; {_HOW}")


_HOW = f"webhooks go to public addresses unless {ENV_VAR} allows others"


@dataclass(frozen=True)
class _Target:
    host: str
    port: int


def _target(url: str) -> _Target:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise TargetRefused(f"not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise TargetRefused("a webhook URL is http:// or https://")
    host = _name(parsed.raw_host.decode("ascii"))
    if not host:
        raise TargetRefused("a webhook URL names a host")
    return _Target(host, parsed.port or (443 if parsed.scheme == "https" else 80))


def _name(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _literal(host: str) -> Address | None:
    try:
        return ip_address(host)
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list[Address]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"{host} does not resolve: {exc}") from None
    addresses: list[Address] = []
    for *_, sockaddr in found:
        address = ip_address(str(sockaddr[0]).split("%", 1)[0])  # fe80::1%eth0: no zone
        if address not in addresses:
            addresses.append(address)
    return addresses


def _embedded(address: Address) -> Address:
    """The IPv4 address inside an IPv6 one that carries it (mapped, 6to4, NAT64)."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _public(address: Address) -> bool:
    inner = _embedded(address)
    if inner != address:
        return _public(inner)
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
    )


def _kind(address: Address) -> str:
    inner = _embedded(address)
    for test, kind in (
        (inner.is_loopback, "a loopback"),
        (inner.is_link_local, "a link-local"),
        (inner.is_multicast, "a multicast"),
        (inner.is_unspecified, "an unspecified"),
        (inner.is_private, "a private"),
    ):
        if test:
            return kind
    return "a non-public"
