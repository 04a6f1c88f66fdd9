"""Settings: one frozen object, built from command-line flags and UNDERSTUDY_* environment variables."""

import ipaddress
import json
from dataclasses import dataclass, field

from understudy.domain import policy
from understudy.domain.families import QUOTAS
from understudy.protocol import spec

DEFAULT_PORT = 4599
DEFAULT_DB = "sqlite:///.understudy/state.db"
DEFAULT_ACCOUNT = "000000000000"

# Regions where AWS offers Multi-Region Resilience (standby WorkSpaces) [AWS: MRR guide].
MRR_REGIONS = ("us-east-1", "us-west-2", "eu-central-1", "eu-west-1")

# Quotas per account and Region, declared with their families.
QUOTA_PROFILES = {profile: {name: getattr(quota, profile) for name, quota in QUOTAS.items()}
                  for profile in ("generous", "aws")}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    db: str = DEFAULT_DB
    clock: str = "real"
    timing: str = "fast"
    quota_profile: str = "generous"
    quota_overrides: dict[str, int] = field(default_factory=dict)
    any_region: bool = False
    account: str = DEFAULT_ACCOUNT
    default_region: str = "us-east-1"
    key_accounts: dict[str, str] = field(default_factory=dict)
    # --auth strict checks every SigV4 signature against key_secrets; permissive trusts any key.
    auth: str = "permissive"
    key_secrets: dict[str, str] = field(default_factory=dict)
    policies: dict[str, tuple[policy.Statement, ...]] = field(default_factory=dict)
    admin_token: str | None = None
    # Names besides loopback and --host that the control plane answers to (a proxy's or a container's name).
    allowed_hosts: tuple[str, ...] = ()
    mrr_regions: tuple[str, ...] = MRR_REGIONS
    worker: bool = True
    # A new standby settles STOPPED: it is billed and kept like AutoStop until failover
    # [CHOSEN, docs/evidence.md "A new standby settles STOPPED"].
    standby_provisioned_state: str = "STOPPED"

    def quota(self, name: str) -> int:
        return self.quota_overrides.get(name, QUOTA_PROFILES[self.quota_profile][name])

    def serves_region(self, region: str, service: str = "workspaces") -> bool:
        """Whether a Region is one to accept: AWS has an endpoint of the service there (the model's endpoint
        data), or --any-region allows every Region. The one owner of this rule."""
        return self.any_region or region in spec.endpoint_regions(service)

    @property
    def admin_token_required(self) -> bool:
        return self.admin_token is not None or not is_loopback(self.host)


class OptionError(ValueError):
    """A command-line option's value Understudy cannot use; `option` names it."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def from_options(**kw) -> Settings:
    """Settings from `understudy serve`'s options, as click gives them (files named, not yet read)."""
    try:
        quotas = parse_quotas(kw.pop("quota", ()))
    except ValueError as e:
        raise OptionError("--quota", str(e)) from None
    credentials = kw.pop("credentials", None)
    try:
        policies = load_policies(kw.pop("policy", None))
    except ValueError as e:
        raise OptionError("--policy", str(e)) from None
    kw["allowed_hosts"] = tuple(kw.get("allowed_hosts", ()))
    if "db" in kw and not str(kw["db"]).startswith(("sqlite://", "postgresql://")):
        raise OptionError("--db", f"{kw['db']!s:.100} is not a database Understudy can use: give sqlite:///PATH, "
                          "sqlite:// (in memory) or postgresql://USER@HOST:PORT/NAME.")
    return Settings(quota_overrides=quotas, key_accounts=load_credentials(credentials),
                    key_secrets=load_credentials(credentials, "secret_access_key"), policies=policies, **kw)


def is_loopback(host: str) -> bool:
    """Only loopback is private to this machine; `0.0.0.0` and any name but localhost may be reachable."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_quotas(values: tuple[str, ...] | list[str]) -> dict[str, int]:
    """`NAME=N` pairs; unknown names are refused so a typo does not pass silently."""
    known = set(QUOTA_PROFILES["generous"])
    out = {}
    for item in values:
        name, sep, number = item.partition("=")
        if not sep or name not in known or not number.isdigit():
            raise ValueError(f"bad quota {item!r}: expected NAME=N with NAME one of {', '.join(sorted(known))}")
        out[name] = int(number)
    return out


def load_credentials(path: str | None, member: str = "account_id") -> dict[str, str]:
    """A JSON file `{"credentials": [{"access_key_id", "account_id", "secret_access_key"}, ...]}` -> key: member.

    `account_id` (the default) maps keys to accounts, `secret_access_key` gives the secrets `--auth strict`
    checks signatures with; an entry may carry either or both.
    """
    if not path:
        return {}
    with open(path) as f:
        data = json.load(f)
    return {c["access_key_id"]: c[member] for c in data.get("credentials", []) if member in c}


def load_policies(path: str | None) -> dict[str, tuple[policy.Statement, ...]]:
    """The `--policy` file (shape in domain/policy.py); PolicyError on anything it would not enforce."""
    if not path:
        return {}
    with open(path) as f:
        try:
            return policy.parse(json.load(f))
        except json.JSONDecodeError as e:
            raise policy.PolicyError(f"{path} is not JSON: {e}") from None
