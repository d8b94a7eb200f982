"""Webhooks go to public addresses over http(s); other targets only when the operator allows.

Names are resolved for real: `localhost` and numeric spellings of addresses resolve on
any machine without a network.
"""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from ceasewatch.services.webhook_targets import ENV_VAR, TargetRefused, WebhookTargets

STRICT = WebhookTargets()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.10.1/",
        "http://[fe80::1]/hook",
        "http://[fd00:ec2::254]/latest",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:a9fe:a9fe::1]/",
    ],
)
def test_link_local_and_cloud_metadata_addresses_are_refused(url: str):
    with pytest.raises(
        TargetRefused, match=f"address; webhooks go to public addresses unless {ENV_VAR}"
    ):
        STRICT.check(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://metadata.google.internal/computeMetadata/v1/",
        "HTTP://Metadata.Google.Internal./",
        "http://instance-data.ec2.internal/",
        "http://localhost:8080/hook",
        "http://hooks.localhost/",
    ],
)
def test_names_of_this_machine_and_of_metadata_services_are_refused(url: str):
    with pytest.raises(TargetRefused, match="names this machine or a cloud metadata service"):
        STRICT.check(url)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:9000/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://192.168.0.10/", "private"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
    ],
)
def test_loopback_private_and_other_non_public_addresses_are_refused(url: str, kind: str):
    with pytest.raises(TargetRefused, match=f"is an? {kind} address"):
        STRICT.check(url)


@pytest.mark.parametrize("url", ["http://2852039166/", "http://0xa9.0xfe.0xa9.0xfe/"])
def test_a_name_is_judged_by_the_addresses_it_resolves_to(url: str):
    with pytest.raises(TargetRefused, match="resolves to a link-local address"):
        STRICT.check(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/hook", "file:///etc/passwd", "gopher://example.org/", "http:///x"]
)
def test_only_http_and_https_urls_with_a_host_are_taken(url: str):
    with pytest.raises(TargetRefused, match=r"http:// or https://|names a host"):
        STRICT.check(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.215.14/hook",
        "http://[2606:4700::1111]:8443/x",
        "http://[64:ff9b::5db8:d70e]/",
    ],
)
def test_public_addresses_are_taken(url: str):
    STRICT.check(url)


def test_a_name_that_does_not_resolve_yet_is_taken_and_checked_again_at_sending():
    url = "https://hooks.ceasewatch.invalid/x"  # .invalid never resolves (RFC 6761)

    STRICT.check(url)

    with pytest.raises(TargetRefused, match="does not resolve"):
        STRICT.addresses(url)


def test_loopback_is_allowed_only_when_configured():
    allowed = WebhookTargets.parse("127.0.0.0/8, ::1")

    allowed.check("http://127.0.0.1:9000/hook")
    allowed.check("http://[::1]:9000/hook")
    assert allowed.addresses("http://127.0.0.1:9000/hook") == [ip_address("127.0.0.1")]
    with pytest.raises(TargetRefused):
        allowed.check("http://169.254.169.254/")
    with pytest.raises(TargetRefused, match="names this machine"):
        allowed.check("http://localhost:9000/hook")


def test_a_host_name_allowed_is_trusted_with_what_it_resolves_to():
    allowed = WebhookTargets.parse("localhost")

    allowed.check("http://localhost:9000/hook")
    assert all(a.is_loopback for a in allowed.addresses("http://localhost:9000/hook"))
    with pytest.raises(TargetRefused):
        allowed.check("http://127.0.0.1:9000/hook")


def test_an_allowance_that_is_neither_a_network_nor_a_name_is_an_error_naming_it():
    with pytest.raises(ValueError, match=f"{ENV_VAR}: 'http://x' is neither"):
        WebhookTargets.parse("127.0.0.1, http://x")


def test_nothing_set_allows_nothing_but_public_addresses(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ENV_VAR, raising=False)

    assert WebhookTargets.from_env() == WebhookTargets()
